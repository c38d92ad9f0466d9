"""`cloudstro users set-timezone`: the zone a user's best hours and digest times are read in.

The zone is checked by the profile's own rule before anything is written, so a misspelt zone
changes nothing. A valid one goes through `insights.engine.change_timezone`, the same path as
the form in Slack's App Home: the stored best-time insights are recomputed in the new zone at
once, since a stored "09:00" means 09:00 where the user was when it was computed.
"""

from __future__ import annotations

import click

from cloudstro.cli.common import STORE_ERRORS, fail, open_store
from cloudstro.config import Clock, utc_now
from cloudstro.digests.preferences import SettingRejected, parse_timezone
from cloudstro.insights.engine import change_timezone

# "Now" for the recomputed insights: module-level so tests can fix it.
clock: Clock = utc_now


@click.command("set-timezone")
@click.option("--user", "user_id", required=True, help="The CloudStro user id.")
@click.argument("timezone")
def set_timezone_command(user_id: str, timezone: str) -> None:
    """Set a user's IANA timezone (e.g. Europe/London) and recompute their best hours in it."""
    store = open_store(quiet=True)
    try:
        profile = store.users.require(user_id)
        try:
            zone = parse_timezone(profile, timezone)
        except SettingRejected as exc:
            raise click.BadParameter(str(exc), param_hint="TIMEZONE") from exc
        if zone == profile.zone:
            click.echo(f"{user_id} is already on {zone}; nothing changed.")
            return
        refresh = change_timezone(store, user_id, zone, clock())
    except STORE_ERRORS as exc:
        fail(exc)
    click.echo(f"Timezone for {user_id} is now {zone} (was {profile.zone}); "
               f"{len(refresh.written)} insight(s) recomputed from {refresh.posts} posts.")
