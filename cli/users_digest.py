"""`cloudstro users set-digest`: when and where a user's scheduled digest goes.

Every option is checked, and the whole new setting validated, before the one write: a bad
time, day, cadence or channel changes nothing. The rules themselves live in
`digests.preferences`, shared with the digest form in Slack's App Home.
"""

from __future__ import annotations

from collections.abc import Callable

import click

from cloudstro.cli.common import STORE_ERRORS, err, fail, open_store
from cloudstro.digests.preferences import (
    SettingRejected,
    parse_channel,
    parse_day,
    parse_time,
    updated_preferences,
)


def _checked(parse: Callable[[str], str], value: str, hint: str) -> str:
    try:
        return parse(value)
    except SettingRejected as exc:
        raise click.BadParameter(str(exc), param_hint=hint) from exc


@click.command("set-digest")
@click.option("--user", "user_id", required=True, help="The CloudStro user id.")
@click.option("--enabled/--disabled", default=None, help="Switch the digest on or off.")
@click.option("--cadence", type=click.Choice(["daily", "weekly"], case_sensitive=False),
              default=None, help="Daily or weekly.")
@click.option("--day", default=None, help="Weekday for a weekly digest, e.g. Monday.")
@click.option("--time", "at", default=None,
              help="Local time (the user's timezone), 24-hour HH:MM, e.g. 09:00.")
@click.option("--channel", default=None,
              help="Slack channel id (C...) to post in; default is a DM to the linked user.")
@click.option("--dm", "use_dm", is_flag=True, default=False,
              help="Forget the channel and send the digest as a DM again.")
def set_digest_command(user_id: str, enabled: bool | None, cadence: str | None,
                       day: str | None, at: str | None, channel: str | None,
                       use_dm: bool) -> None:
    """Set when and where a user's digest is sent (times are in the user's timezone)."""
    changes: dict[str, object] = {}
    if enabled is not None:
        changes["enabled"] = enabled
    if cadence is not None:
        changes["cadence"] = cadence.lower()
    if day is not None:
        changes["dayOfWeek"] = _checked(parse_day, day, "--day")
    if at is not None:
        changes["time"] = _checked(parse_time, at, "--time")
    if channel is not None and use_dm:
        raise click.UsageError("give either --channel or --dm, not both")
    if channel is not None:
        changes["slackChannel"] = _checked(parse_channel, channel, "--channel")
    if use_dm:
        changes["slackChannel"] = None
    if not changes:
        raise click.UsageError("nothing to change: give --enabled/--disabled, --cadence, "
                               "--day, --time, --channel or --dm")

    store = open_store(quiet=True)
    try:
        profile = store.users.require(user_id)
        try:
            updated = updated_preferences(profile.digest, changes)
        except SettingRejected as exc:
            raise click.BadParameter(str(exc)) from exc
        store.users.set_digest(user_id, updated)
    except STORE_ERRORS as exc:
        fail(exc)

    when = (f"daily at {updated.time}" if updated.cadence == "daily"
            else f"every {updated.dayOfWeek} at {updated.time}")
    where = (f"channel {updated.slackChannel}" if updated.slackChannel
             else f"a DM to {profile.slackUserId}" if profile.slackUserId else "nowhere yet")
    state = "on" if updated.enabled else "off"
    click.echo(f"Digest for {user_id} is {state}: {when} ({profile.zone}), to {where}.")
    if updated.enabled and not updated.slackChannel and not profile.slackUserId:
        err.print("[yellow]No Slack user is linked and no --channel is set, so nothing will "
                  "be sent until one is (cloudstro users link-slack, or --channel C...).[/yellow]")
