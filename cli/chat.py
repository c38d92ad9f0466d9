"""`cloudstro chat`, `ask` and `demo`: the agent in a terminal.

When DynamoDB does not answer (before the conversation or in the middle of a turn), each
command says so in one line and exits 1: a terminal user can simply run it again.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.markdown import Markdown

from cloudstro.cli.common import STORE_ERRORS, err, fail, open_store
from cloudstro.store.errors import UserNotFoundError

if TYPE_CHECKING:
    from cloudstro.agent.service import Assistant
    from cloudstro.store import Store

out = Console()
DEMO_USER = "demo_user_000"
DEMO_SCRIPT = (
    "How did I do this week?",
    "When should I post on Instagram?",
    "Which hashtags work for me?",
    "Remember that video beats images for me",
    "Show my insights",
)


def _assistant(store: Store) -> Assistant:  # imported lazily: the agent stack is heavy to import
    from cloudstro.agent.service import Assistant

    return Assistant(store)


@click.command()
@click.option("--user", "user_id", default=DEMO_USER, show_default=True,
              help="The CloudStro user you chat as.")
@click.option("--thread", "thread_id", default=None, help="Continue this conversation.")
def chat(user_id: str, thread_id: str | None) -> None:
    """Chat about your accounts in the terminal (empty line or Ctrl-D to quit)."""
    store = open_store()
    _chat_loop(store, user_id, thread_id)


def _chat_loop(store: Store, user_id: str, thread_id: str | None) -> None:
    from cloudstro.agent.service import Done, MessageRejected, TextDelta, ToolEvent, new_thread_id

    assistant = _assistant(store)
    try:
        profile = store.users.get(user_id)
    except STORE_ERRORS as exc:
        fail(exc)
    if profile is None:
        fail(UserNotFoundError(user_id, hint="try `cloudstro db seed-demo` first"))
    thread_id = thread_id or new_thread_id()
    mode = "offline responder" if assistant.offline else assistant.settings.bedrock_model_id
    err.print(f"[bold]CloudStro[/bold] chatting as {profile.display_name} ({user_id}, "
              f"{profile.zone}) with {mode}; thread {thread_id}")
    err.print("[dim]Try: how did I do this week? / when should I post on instagram? / "
              "which hashtags work?[/dim]")
    while True:
        try:
            message = out.input("[bold cyan]you ›[/bold cyan] ")
        except EOFError:
            break
        if not message.strip():
            break
        try:
            events = assistant.stream(user_id, thread_id, message)
            with out.status("thinking…", spinner="dots") as status:
                for event in events:
                    if isinstance(event, ToolEvent) and event.phase == "start":
                        status.update(f"reading your data: {event.name}…")
                    elif isinstance(event, Done):
                        reply = event.reply
                    elif isinstance(event, TextDelta):
                        pass  # rendered whole below, as Markdown
        except MessageRejected as exc:
            err.print(f"[yellow]{exc}[/yellow]")
            continue
        except STORE_ERRORS as exc:
            err.print(f"[dim]continue later with --thread {thread_id}[/dim]")
            fail(exc)
        out.print(Markdown(reply.reply))
        out.print()


@click.command()
@click.option("--user", "user_id", required=True, help="The CloudStro user asking.")
@click.option("--thread", "thread_id", default=None, help="Continue this conversation.")
@click.option("--json", "as_json", is_flag=True, help="Print {reply, threadId, toolCalls}.")
@click.argument("message")
def ask(user_id: str, thread_id: str | None, as_json: bool, message: str) -> None:
    """Ask one question and print the answer."""
    from cloudstro.agent.service import MessageRejected

    store = open_store(quiet=as_json)
    try:
        reply = _assistant(store).respond(user_id, thread_id, message)
    except MessageRejected as exc:
        fail(exc)
    except STORE_ERRORS as exc:
        fail(exc)
    if as_json:
        click.echo(json.dumps(reply.as_json(), ensure_ascii=False))
    else:
        out.print(Markdown(reply.reply))
        err.print(f"[dim]thread {reply.thread_id}[/dim]")
    if reply.failed:
        sys.exit(1)


@click.command()
@click.option("--users", default=5, show_default=True, type=click.IntRange(1, 1000))
@click.option("--days", default=90, show_default=True, type=click.IntRange(7, 730))
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--user", "user_id", default=DEMO_USER, show_default=True)
@click.option("--script", "script", multiple=True,
              help="Ask these questions and exit instead of opening the chat.")
def demo(users: int, days: int, seed: int, user_id: str, script: tuple[str, ...]) -> None:
    """Start DynamoDB Local, create the tables, load demo data if empty, open the chat."""
    from cloudstro.cli.db import local_engine, recreate_outdated
    from cloudstro.store.demo import seed_demo
    from cloudstro.store.local import LocalEngineError
    from cloudstro.store.tables import create_tables

    engine = local_engine()
    try:
        engine.start()
    except LocalEngineError as exc:
        fail(exc)
    err.print(f"DynamoDB Local at {engine.endpoint}")
    import os

    os.environ.setdefault("DYNAMODB_ENDPOINT_URL", engine.endpoint)
    from cloudstro.config import get_settings

    get_settings.cache_clear()
    store = open_store(quiet=True, batch=True)
    try:
        report = create_tables(store.dynamo)
        if report.created:
            err.print(f"created {len(report.created)} tables")
        recreated = recreate_outdated(store, report)
        if recreated:
            err.print(f"recreated {len(recreated)} demo tables that predate an index")
        if recreated or store.users.get(user_id) is None:
            err.print(f"loading demo data: {users} users x {days} days (seed {seed})…")
            summary = seed_demo(store, users=users, days=days, seed=seed)
            err.print(str(summary.summary() if hasattr(summary, "summary") else summary))
    except STORE_ERRORS as exc:
        fail(exc)
    if not script and not sys.stdin.isatty():
        script = DEMO_SCRIPT  # no one to type: show a short conversation instead
    if script:
        from cloudstro.agent.service import new_thread_id

        assistant = _assistant(store)
        thread_id = new_thread_id()
        for question in script:
            out.print(f"[bold cyan]you ›[/bold cyan] {question}")
            try:
                reply = assistant.respond(user_id, thread_id, question)
            except STORE_ERRORS as exc:
                fail(exc)
            out.print(Markdown(reply.reply))
            out.print()
        return
    _chat_loop(store, user_id, None)
