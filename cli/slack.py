"""`cloudstro slack` (the Slack app over Socket Mode) and `cloudstro users link-slack`."""

from __future__ import annotations

import logging
import threading

import click

from cloudstro.cli.common import STORE_ERRORS, err, fail, open_store
from cloudstro.config import get_settings


@click.command()
@click.option("--log-level", default="INFO", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False))
def slack(log_level: str) -> None:
    """Run the Slack app over Socket Mode (no public URL needed; SLACK_APP_TOKEN, xapp-...)."""
    from cloudstro.channels.http.logs import install_content_free_records
    from cloudstro.channels.slack.socket_mode import app_token
    from cloudstro.slackkit.client import SlackNotConfigured

    logging.basicConfig(level=log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_content_free_records()  # no message text in any line, the libraries' included
    settings = get_settings()
    try:
        app_token(settings)  # before touching the store: a missing token is the usual mistake
    except SlackNotConfigured as exc:
        fail(exc)
    store = open_store()
    try:
        store.ping()
    except STORE_ERRORS as exc:
        fail(exc)
    from slack_sdk.errors import SlackApiError, SlackRequestError

    from cloudstro.agent.service import Assistant
    from cloudstro.channels.slack.socket_mode import SocketModeApp

    assistant = Assistant(store, settings)
    try:
        running = SocketModeApp(store, assistant, settings)
    except SlackNotConfigured as exc:
        fail(exc)
    try:
        running.connect()
    except (SlackApiError, SlackRequestError, OSError) as exc:
        running.close()
        reason = exc.response.get("error") if isinstance(exc, SlackApiError) else exc
        fail(SlackNotConfigured(f"Slack did not open a Socket Mode connection ({reason}, Web API "
                                f"{settings.slack_api_url}): check SLACK_APP_TOKEN and that "
                                f"Socket Mode is enabled for the app"))
    mode = "offline responder" if assistant.offline else settings.bedrock_model_id
    err.print(f"[bold]CloudStro[/bold] on Slack over Socket Mode with {mode}; Ctrl-C to stop")
    if not running.is_connected():
        err.print("[yellow]The websocket did not connect yet; retrying in the background "
                  "(--log-level DEBUG shows why)[/yellow]")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        err.print("Stopping: finishing answers already started…")
    finally:
        running.close()


@click.group()
def users() -> None:
    """Manage CloudStro users."""


@users.command("link-slack")
@click.option("--user", "user_id", required=True,
              help="The CloudStro user id (e.g. demo_user_000).")
@click.option("--slack-user", "slack_user_id", required=True,
              help="The Slack member id (profile → ⋮ → Copy member ID), e.g. U0123ABCD.")
@click.option("--team", "team_id", default=None, help="The Slack workspace id (T...), optional.")
def link_slack(user_id: str, slack_user_id: str, team_id: str | None) -> None:
    """Link a Slack account to a CloudStro user, so the Slack app answers them with their data."""
    from cloudstro.channels.slack.identity import SlackIdentity

    slack_user_id = slack_user_id.strip()
    if slack_user_id[:1] not in ("U", "W") or not slack_user_id.isalnum():
        fail(ValueError(f"{slack_user_id!r} is not a Slack member id; they look like "
                        f"U0123ABCD (or W... in Enterprise Grid)"))
    if team_id is not None and not (team_id.startswith(("T", "E")) and team_id.isalnum()):
        fail(ValueError(f"{team_id!r} is not a Slack workspace id; they look like T0123ABCD"))
    store = open_store(quiet=True)
    identity = SlackIdentity(store)
    try:
        identity.link(user_id, slack_user_id, team_id)
    except STORE_ERRORS as exc:
        fail(exc)
    click.echo(f"Linked Slack user {slack_user_id} to {user_id}.")


def register(group: click.Group) -> None:
    """Attach `slack`, and `link-slack` under `users` (joining a `users` group if one exists)."""
    group.add_command(slack)
    existing = group.commands.get("users")
    if isinstance(existing, click.Group):
        existing.add_command(link_slack)
    else:
        group.add_command(users)
