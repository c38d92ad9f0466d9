"""`cloudstro serve` (the HTTP API and every channel in one ASGI app) and `token issue`."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import click

from cloudstro.cli.common import STORE_ERRORS, err, fail, open_store
from cloudstro.config import Settings, get_settings

if TYPE_CHECKING:
    from cloudstro.digests.runner import DigestScheduler
    from cloudstro.ingest.runner import SyncScheduler
    from cloudstro.store import Store

LOG_LEVELS = ("debug", "info", "warning", "error")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; anything but loopback needs CLOUDSTRO_AUTH_SECRET.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--log-level", default="info", show_default=True, type=click.Choice(LOG_LEVELS))
@click.option("--digests/--no-digests", default=True, show_default=True,
              help="Send due Slack digests from this process (needs SLACK_BOT_TOKEN).")
@click.option("--sync/--no-sync", "sync_accounts", default=True, show_default=True,
              help="Sync connected accounts that are due from this process.")
def serve(host: str, port: int, log_level: str, digests: bool, sync_accounts: bool) -> None:
    """Serve the API (and the other channels) with uvicorn; JSON logs on stderr."""
    import uvicorn

    from cloudstro.channels.app import create_app
    from cloudstro.channels.http.auth import AuthNotConfigured, resolve_secret
    from cloudstro.channels.http.logs import configure_logging
    from cloudstro.channels.http.server import server_config

    configure_logging(log_level)
    settings = get_settings()
    store = open_store()
    try:
        secret = resolve_secret(settings, store_is_local=store.dynamo.is_local, host=host)
        app = create_app(settings, store, auth_secret=secret)
    except AuthNotConfigured as exc:
        fail(exc)
    err.print(f"CloudStro API on http://{host}:{port} (docs: /docs; DynamoDB: "
              f"{store.dynamo.endpoint_label}; tokens: `cloudstro token issue --user <id>`)")
    scheduler = _digest_scheduler(settings, store) if digests else None
    if scheduler:
        scheduler.start()
        err.print(f"Digests: checking every {scheduler.interval_seconds:.0f}s for due digests")
    syncer = _sync_schedule(store) if sync_accounts else None
    try:
        uvicorn.Server(server_config(app, settings, host=host, port=port,
                                     log_level=log_level)).run()
    finally:
        if scheduler:
            scheduler.stop()
        if syncer:
            syncer.stop()


def _digest_scheduler(settings: Settings, store: Store) -> DigestScheduler | None:
    """The in-process digest schedule: the same `run_due` that cron or EventBridge runs."""
    if settings.slack_bot_token is None:
        err.print("[dim]Digests off: SLACK_BOT_TOKEN is not set[/dim]")
        return None
    from cloudstro.digests.runner import DigestScheduler
    from cloudstro.digests.summary import summary_model
    from cloudstro.slackkit.client import web_client

    return DigestScheduler(store, web_client(settings), model=summary_model(settings))


def _sync_schedule(store: Store) -> SyncScheduler:
    from cloudstro.ingest import SyncEngine
    from cloudstro.ingest.runner import start_sync_schedule

    syncer = start_sync_schedule(SyncEngine(store))
    err.print(f"Sync: checking every {syncer.interval_seconds:.0f}s for accounts due a sync")
    return syncer


@click.group()
def token() -> None:
    """Bearer tokens for the HTTP API."""


@token.command("issue")
@click.option("--user", "user_id", required=True, help="The CloudStro user the token acts as.")
@click.option("--ttl", "ttl_days", default=30.0, show_default=True,
              type=click.FloatRange(min=0, max=366, min_open=True), help="Lifetime in days.")
@click.option("--no-check-user", is_flag=True,
              help="Issue even if the user has no profile in the users table (yet).")
def issue(user_id: str, ttl_days: float, no_check_user: bool) -> None:
    """Print a signed, expiring token (stdout only, so `$(cloudstro token issue ...)` works)."""
    from cloudstro.channels.http.auth import (
        AuthNotConfigured,
        issue_token,
        resolve_secret,
        verify_token,
    )
    from cloudstro.store.errors import NotFoundError

    settings = get_settings()
    store = open_store(quiet=True)
    try:
        secret = resolve_secret(settings, store_is_local=store.dynamo.is_local)
        if not no_check_user and store.users.get(user_id) is None:
            raise NotFoundError(f"no user {user_id!r} in {store.names.users}; the API refuses "
                                "tokens for unknown users (seed the demo or pass "
                                "--no-check-user)")
        value = issue_token(secret, user_id, timedelta(days=ttl_days))
    except (AuthNotConfigured, *STORE_ERRORS) as exc:
        fail(exc)
    claims = verify_token(secret, value)
    err.print(f"token for {user_id}, expires {claims.expires_at:%Y-%m-%d %H:%M} UTC "
              f"(signed with {secret.source})")
    click.echo(value)
