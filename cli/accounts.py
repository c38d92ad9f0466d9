"""`cloudstro accounts add | list | remove | connect`: connections an operator manages by hand.

`add` stores an account with tokens the operator already holds (moving from another system,
or a user's own developer app). A token given as `-` is read from stdin, so it stays out of
the shell history and the process list; no command ever prints a token.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from typing import Any

import click
from pydantic import SecretStr

from cloudstro.cli.common import STORE_ERRORS, err, fail, open_store
from cloudstro.config import Clock, utc_now
from cloudstro.ingest.oauth import ConnectError, begin_connection
from cloudstro.store.accounts import new_account_fields
from cloudstro.store.errors import NotFoundError, UserNotFoundError
from cloudstro.store.platforms import PLATFORM_NAMES, display_name, platform_info

# A connection whose lifetime the operator does not know (Facebook page tokens never expire)
# is stored as lasting ten years; a rejected token still triggers a renewal or a reconnect.
UNKNOWN_LIFETIME = timedelta(days=3650)
# "Now" for connection and expiry times: module-level so tests can fix it.
clock: Clock = utc_now


@click.group()
def accounts() -> None:
    """Connected social accounts (tokens are stored encrypted and never shown)."""


def _platform(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    try:
        return platform_info(value).name
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@accounts.command("add")
@click.option("--user", "user_id", required=True, help="The CloudStro user who owns it.")
@click.option("--platform", required=True, callback=_platform,
              help=f"One of {', '.join(PLATFORM_NAMES)} (or x).")
@click.option("--account-id", required=True, help="The account's id on the platform.")
@click.option("--username", default=None, help="The account's handle, for display.")
@click.option("--access-token", required=True, help="The access token, or - to read stdin.")
@click.option("--refresh-token", default=None, help="The refresh token, or - to read stdin.")
@click.option("--expires-in", default=None, type=click.IntRange(min=1),
              help="Seconds until the access token expires (as the platform said).")
@click.option("--no-check-user", is_flag=True, help="Store even if the user has no profile.")
def add(user_id: str, platform: str, account_id: str, username: str | None, access_token: str,
        refresh_token: str | None, expires_in: int | None, no_check_user: bool) -> None:
    """Store an account with existing tokens (replacing it if it is there)."""
    access = _secret(access_token, "access token")
    refresh = _secret(refresh_token, "refresh token") if refresh_token else None
    now = clock()
    lifetime = timedelta(seconds=expires_in) if expires_in else UNKNOWN_LIFETIME
    store = open_store()
    try:
        if not no_check_user and store.users.get(user_id) is None:
            raise UserNotFoundError(user_id, hint="create the user first or pass "
                                                  "--no-check-user")
        fields = new_account_fields(user_id, platform, account_id, username=username,
                                    token_expires_at=now + lifetime, now=now)
        store.accounts.add_with_tokens(fields, access, refresh)
    except STORE_ERRORS as exc:
        fail(exc)
    click.echo(f"stored {display_name(platform)} account {account_id} for {user_id} "
               f"(tokens encrypted{'' if refresh else '; no refresh token'}); "
               f"sync it with `cloudstro sync --user {user_id}`")


@accounts.command("list")
@click.option("--user", "user_id", required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the accounts as JSON.")
def list_accounts(user_id: str, as_json: bool) -> None:
    """A user's accounts: status, last sync and posts synced."""
    store = open_store(quiet=as_json)
    try:
        views = store.accounts.sync_views(user_id)
    except STORE_ERRORS as exc:
        fail(exc)
    rows: list[dict[str, Any]] = [
        {"platform": v.platform, "accountId": v.accountId, "handle": v.accountHandle,
         "status": v.accountStatus, "reason": v.statusReason,
         "lastSyncAt": v.lastSyncAt.isoformat() if v.lastSyncAt else None,
         "syncStatus": v.syncStatus, "posts": v.postCount} for v in views]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        err.print(f"{user_id} has no connected accounts")
    for row in rows:
        status = row["status"] + (f" ({row['reason']})" if row["reason"] else "")
        last = row["lastSyncAt"] or "never"
        click.echo(f"{display_name(row['platform'])} {row['handle']} [{row['accountId']}]: "
                   f"{status}; last sync {last}; {row['posts']} posts")


@accounts.command("remove")
@click.option("--user", "user_id", required=True)
@click.option("--platform", required=True, callback=_platform)
@click.option("--account-id", required=True)
def remove(user_id: str, platform: str, account_id: str) -> None:
    """Delete a connection and its tokens; the posts already synced stay."""
    store = open_store()
    try:
        removed = store.accounts.remove(user_id, platform, account_id)
    except STORE_ERRORS as exc:
        fail(exc)
    if not removed:
        fail(NotFoundError(f"{user_id} has no {display_name(platform)} account {account_id}"))
    click.echo(f"removed {display_name(platform)} account {account_id} of {user_id}; "
               "its synced posts are kept")


@accounts.command("connect")
@click.argument("platform", callback=_platform)
@click.option("--user", "user_id", required=True, help="The CloudStro user who connects it.")
def connect(platform: str, user_id: str) -> None:
    """Print the link where the user allows CloudStro to read their PLATFORM account.

    Open it in a browser within ten minutes: CloudStro's page (CLOUDSTRO_PUBLIC_URL/connect/
    ...) names whose profile it connects to, or asks to sign in with Slack, then leads to the
    platform's page. The platform sends the same browser back to
    CLOUDSTRO_PUBLIC_URL/oauth/PLATFORM/callback, where `cloudstro serve` stores the account
    (tokens encrypted) and starts its first sync.
    """
    store = open_store(quiet=True)
    try:
        if store.users.get(user_id) is None:
            fail(UserNotFoundError(user_id, hint="create the user first"))
        link = begin_connection(store, store.settings, user_id, platform, clock())
    except (*STORE_ERRORS, ConnectError) as exc:
        fail(exc)
    click.echo(link.url)


def _secret(value: str, what: str) -> SecretStr:
    """The option's value, or one line of stdin for `-`; empty is refused without echoing."""
    if value == "-":
        value = sys.stdin.readline().strip()
    if not value.strip():
        raise click.BadParameter(f"the {what} is empty")
    return SecretStr(value.strip())
