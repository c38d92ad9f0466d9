"""Timestamps as the seed writes them: aware UTC in, ISO-8601 with a 'Z' out, and the weekday
names the engagement table uses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

WEEKDAYS: tuple[str, ...] = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)


def parse_utc(value: Any) -> datetime:
    """Accept an aware datetime or an ISO-8601 string with an offset; refuse naive times.

    A naive time is ambiguous (whose midnight?), and best-time analysis depends on it being
    right, so it is an error rather than a silent assumption of UTC.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValueError(f"not an ISO-8601 timestamp: {value!r}") from exc
    else:
        raise ValueError(f"expected an ISO-8601 timestamp string, got {type(value).__name__}")
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp {value!r} has no timezone; add 'Z' or an offset")
    return parsed.astimezone(UTC)


def iso_z(moment: datetime) -> str:
    """The seed's timestamp format: UTC, 'Z' suffix, milliseconds only when present."""
    moment = moment.astimezone(UTC)
    if moment.microsecond:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


UtcDateTime = Annotated[
    datetime, BeforeValidator(parse_utc), PlainSerializer(iso_z, return_type=str)
]


def as_iso(value: Any) -> str:
    return iso_z(parse_utc(value))
