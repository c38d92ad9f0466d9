"""The digest form in Slack: cadence, day, local time, channel, on/off, and the user's timezone.

It opens from the Edit button on the App Home (`views.open`, within the click's three-second
trigger) and is checked when submitted by the same rules as `cloudstro users set-digest`
(`digests.preferences`): every field is checked on its own, so one submission names every bad
field under the field itself (Slack's `response_action: errors`), and nothing is stored until
all of them are good. The acknowledgement only checks; storing and the work a new timezone
brings (`insights.engine.change_timezone` recomputes the stored best times in the new zone)
happen after it, and the Home tab is then published again with the new settings.

Whose settings change is decided by who submitted (the payload's `user`), never by anything
the form carries.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    Block,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from cloudstro.channels.slack.home import HomeTab
from cloudstro.channels.slack.identity import SlackIdentity
from cloudstro.config import Clock
from cloudstro.digests.preferences import (
    CADENCES,
    SettingRejected,
    parse_cadence,
    parse_channel,
    parse_day,
    parse_time,
    parse_timezone,
    updated_preferences,
)
from cloudstro.store import Store
from cloudstro.store.records import WEEKDAYS, DigestPreferences, UserProfile

log = logging.getLogger("cloudstro.slack")

DIGEST_CALLBACK = "cloudstro_digest_settings"
ON, OFF = "on", "off"
NOT_LINKED_FORM = "Your Slack account isn't linked to CloudStro, so there is nothing to change."


@dataclass(frozen=True)
class DigestForm:
    """A submission that passed every rule."""

    preferences: DigestPreferences
    timezone: str


def digest_modal(profile: UserProfile) -> dict[str, Any]:
    """The form, filled in with the user's current settings."""
    prefs = profile.digest or DigestPreferences()
    state = {ON: "On", OFF: "Off"}
    cadences = {c: c.capitalize() for c in CADENCES}
    days = {day: day for day in WEEKDAYS}
    blocks: list[Block] = [
        InputBlock(block_id="enabled", label="Digest", element=RadioButtonsElement(
            action_id="enabled", options=_options(state),
            initial_option=_option(ON if prefs.enabled else OFF, state))),
        InputBlock(block_id="cadence", label="How often", element=StaticSelectElement(
            action_id="cadence", options=_options(cadences),
            initial_option=_option(prefs.cadence, cadences))),
        InputBlock(block_id="day", label="Day (weekly digests)", element=StaticSelectElement(
            action_id="day", options=_options(days),
            initial_option=_option(prefs.dayOfWeek, days))),
        InputBlock(block_id="time", label="Local time (24-hour)",
                   hint="In your timezone below, e.g. 09:00 or 17:30.",
                   element=PlainTextInputElement(action_id="time", initial_value=prefs.time,
                                                 placeholder="09:00", max_length=5)),
        InputBlock(block_id="channel", label="Channel id", optional=True,
                   hint="A channel id like C0123ABCDE (channel details, About tab). Leave it "
                        "empty to get the digest as a DM.",
                   element=PlainTextInputElement(action_id="channel",
                                                 initial_value=prefs.slackChannel or None,
                                                 placeholder="C0123ABCDE", max_length=40)),
        InputBlock(block_id="timezone", label="Your timezone",
                   hint="An IANA zone like Europe/Berlin or America/New_York. Best times to "
                        "post are recomputed in it.",
                   element=PlainTextInputElement(action_id="timezone",
                                                 initial_value=profile.zone,
                                                 placeholder="Europe/Berlin", max_length=64)),
    ]
    return View(type="modal", callback_id=DIGEST_CALLBACK, title="Your digest", submit="Save",
                close="Cancel", blocks=blocks).to_dict()


def read_form(values: dict[str, Any], profile: UserProfile) -> DigestForm | dict[str, str]:
    """The submitted settings, or an error message per bad field (keyed by block id)."""
    errors: dict[str, str] = {}

    def field(block_id: str, parse: Any) -> Any:
        try:
            return parse(_value(values, block_id))
        except SettingRejected as exc:
            errors[exc.setting] = str(exc)
            return None

    enabled = field("enabled", _on_off)
    cadence = field("cadence", parse_cadence)
    day = field("day", parse_day)
    at = field("time", parse_time)
    channel = field("channel", lambda text: parse_channel(text) if text.strip() else None)
    timezone = field("timezone", lambda text: parse_timezone(profile, text))
    if errors:
        return errors
    try:
        preferences = updated_preferences(profile.digest, {
            "enabled": enabled, "cadence": cadence, "dayOfWeek": day, "time": at,
            "slackChannel": channel})
    except SettingRejected as exc:
        return {exc.setting: str(exc)}
    return DigestForm(preferences, timezone)


class DigestSettings:
    """Opens the form, checks a submission, and stores a good one."""

    def __init__(self, store: Store, identity: SlackIdentity, home: HomeTab,
                 clock: Clock) -> None:
        self.store = store
        self.identity = identity
        self.home = home
        self.clock = clock

    def open(self, trigger_id: str, slack_user: str, team_id: str | None,
             client: WebClient) -> None:
        profile = self._profile_of(slack_user, team_id)
        if profile is None:
            log.info("digest form asked for by unlinked slack user %s", slack_user)
            return
        client.views_open(trigger_id=trigger_id, view=digest_modal(profile))

    def check(self, slack_user: str, team_id: str | None,
              values: dict[str, Any]) -> dict[str, str]:
        """Errors to show under the form's fields; empty when it may close."""
        profile = self._profile_of(slack_user, team_id)
        if profile is None:
            return {"enabled": NOT_LINKED_FORM}
        outcome = read_form(values, profile)
        return outcome if isinstance(outcome, dict) else {}

    def save(self, slack_user: str, team_id: str | None, values: dict[str, Any],
             client: WebClient) -> None:
        profile = self._profile_of(slack_user, team_id)
        if profile is None:
            return
        form = read_form(values, profile)
        if isinstance(form, dict):  # checked before the form closed; changed since
            log.warning("digest form of %s no longer valid when stored", profile.userId)
            return
        self.store.users.set_digest(profile.userId, form.preferences)
        if form.timezone != profile.zone:
            # The insights engine brings the analytics (numpy): loaded by the rare save that
            # changes the zone, never by the Slack Lambda's cold start.
            from cloudstro.insights.engine import change_timezone

            change_timezone(self.store, profile.userId, form.timezone, self.clock())
        log.info("digest settings of %s changed in Slack (timezone %s)", profile.userId,
                 "changed" if form.timezone != profile.zone else "kept")
        self.home.publish(slack_user, team_id, client)

    def _profile_of(self, slack_user: str, team_id: str | None) -> UserProfile | None:
        user_id = self.identity.linked_user(slack_user, team_id)
        return self.store.users.get(user_id) if user_id else None


def _on_off(value: str) -> bool:
    if value not in (ON, OFF):
        raise SettingRejected("enabled", f"{value!r} is neither on nor off")
    return value == ON


def _value(values: dict[str, Any], block_id: str) -> str:
    """The text or chosen option of one input, as Slack sends it in `view.state.values`."""
    element = (values.get(block_id) or {}).get(block_id) or {}
    option = element.get("selected_option")
    if isinstance(option, dict):
        return str(option.get("value") or "")
    return str(element.get("value") or "")


def _options(labels: dict[str, str]) -> list[Option]:
    return [Option(value=value, label=label) for value, label in labels.items()]


def _option(value: str, labels: dict[str, str]) -> Option:
    return Option(value=value, label=labels.get(value, value))
