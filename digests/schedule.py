"""When a user's digest is due, in their own timezone, across daylight-saving changes.

A digest has occurrences: every local day (daily) or every local `dayOfWeek` (weekly) at the
local `time`. At any moment the one that matters is the latest occurrence at or before now:
if it has not been sent, it is due. A run that was down for a while therefore sends the
missed digest late, once, and never a backlog of stale ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cloudstro.store.records import WEEKDAYS, DigestPreferences


@dataclass(frozen=True)
class Occurrence:
    """One scheduled digest: when it was due, the period it covers, and its claim key."""

    local_date: date
    due_at: datetime  # UTC
    period_start: datetime  # UTC, inclusive
    period_end: datetime  # UTC, exclusive (= due_at)
    cadence: str

    @property
    def key(self) -> str:
        return f"{self.cadence}#{self.local_date.isoformat()}"


def local_instant(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """`day` at `clock` in `zone`, as UTC, resolving the two daylight-saving edge cases.

    A time skipped by a spring-forward gap is moved forward by the gap (02:30 becomes 03:30),
    so the digest still goes out that day; a time that occurs twice in an autumn fall-back
    means its first occurrence (fold=0), so it goes out once.
    """
    # zoneinfo reads a gap time with the offset in force before the gap (fold=0), which
    # lands it after the gap by exactly the gap's size; for a repeated time fold=0 is the
    # first of the two. Both are the behaviour described above.
    return datetime.combine(day, clock, tzinfo=zone).replace(fold=0).astimezone(UTC)


def latest_occurrence(prefs: DigestPreferences, timezone: str, now: datetime
                      ) -> Occurrence | None:
    """The most recent scheduled occurrence at or before `now`, or None if disabled."""
    if not prefs.enabled:
        return None
    zone = ZoneInfo(timezone)
    clock = time.fromisoformat(prefs.time)
    today = now.astimezone(zone).date()
    step = 1 if prefs.cadence == "daily" else 7
    for back in range(0, 8):
        day = today - timedelta(days=back)
        if prefs.cadence == "weekly" and WEEKDAYS[day.weekday()] != prefs.dayOfWeek:
            continue
        due = local_instant(day, clock, zone)
        if due <= now:
            previous_day = day - timedelta(days=step)
            start = local_instant(previous_day, clock, zone)
            return Occurrence(day, due, start, due, prefs.cadence)
    return None
