"""Digest settings as people type them: one set of rules for every way a setting comes in.

`cloudstro users set-digest` and the digest form in Slack's App Home accept the same words for a
day, a time and a channel, and refuse the same values with the same explanation. Each way in
only decides how the explanation is shown (a command-line error, a message under the form's
field), so a value one of them refuses can never be stored through the other.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import ValidationError

from cloudstro.store.records import WEEKDAYS, DigestPreferences, UserProfile

Setting = Literal["enabled", "cadence", "day", "time", "channel", "timezone"]

CADENCES: tuple[str, ...] = ("daily", "weekly")
CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{8,}")
# DigestPreferences' attribute names, and the setting each one is typed as.
_SETTING_OF: dict[str, Setting] = {"enabled": "enabled", "cadence": "cadence",
                                   "dayOfWeek": "day", "time": "time",
                                   "slackChannel": "channel"}


class SettingRejected(ValueError):
    """A value a digest setting refuses; the message says why, in words for the person."""

    def __init__(self, setting: Setting, message: str) -> None:
        super().__init__(message)
        self.setting: Setting = setting


def parse_cadence(value: str) -> str:
    cadence = value.strip().lower()
    if cadence not in CADENCES:
        raise SettingRejected("cadence", f"{value!r} is not a cadence; use daily or weekly")
    return cadence


def parse_day(value: str) -> str:
    """A weekday by full name or three-letter abbreviation, any case."""
    wanted = value.strip().lower()
    for day in WEEKDAYS:
        if wanted in (day.lower(), day[:3].lower()):
            return day
    raise SettingRejected("day", f"{value!r} is not a weekday; use one of {', '.join(WEEKDAYS)}")


def parse_time(value: str) -> str:
    """24-hour HH:MM in the user's timezone; a single-digit hour ("9:30") is accepted."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise SettingRejected("time", f"{value!r} is not a 24-hour time like 09:00 or 17:30")
    return f"{int(match[1]):02d}:{match[2]}"


def parse_channel(value: str) -> str:
    channel = value.strip()
    if not CHANNEL_ID.fullmatch(channel):
        raise SettingRejected(
            "channel", f"{value!r} is not a Slack channel id; they look like C0123ABCDE "
                       "(channel details → bottom of the About tab), not a #name")
    return channel


def parse_timezone(profile: UserProfile, value: str) -> str:
    """An IANA zone the profile accepts (the profile's own rule, as the store applies it)."""
    zone = value.strip()
    try:
        UserProfile.model_validate({**profile.to_record(), "timezone": zone})
    except ValidationError as exc:
        raise SettingRejected("timezone", _first_message(exc)) from exc
    return zone


def updated_preferences(current: DigestPreferences | None,
                        changes: dict[str, Any]) -> DigestPreferences:
    """The whole setting after `changes` (DigestPreferences attribute names), validated."""
    base = (current or DigestPreferences()).model_dump()
    try:
        return DigestPreferences.model_validate({**base, **changes})
    except ValidationError as exc:
        where = str(exc.errors()[0]["loc"][0]) if exc.errors()[0]["loc"] else "time"
        raise SettingRejected(_SETTING_OF.get(where, "time"), _first_message(exc)) from exc


def _first_message(error: ValidationError) -> str:
    first = error.errors()[0]
    cause = (first.get("ctx") or {}).get("error")
    return str(cause) if cause is not None else str(first["msg"])
