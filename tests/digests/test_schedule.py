"""Due-ness in the user's own timezone, across both daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cloudstro.digests.schedule import latest_occurrence
from cloudstro.store.records import DigestPreferences


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def daily(time: str) -> DigestPreferences:
    return DigestPreferences(enabled=True, cadence="daily", time=time)


def test_disabled_digest_is_never_due() -> None:
    assert latest_occurrence(DigestPreferences(enabled=False), "UTC", at("2026-05-01T12:00")) \
        is None


def test_new_york_spring_forward_gap_sends_once_an_hour_later() -> None:
    # 2026-03-08: 02:00 EST jumps to 03:00 EDT, so 02:30 does not exist that day.
    prefs = daily("02:30")
    before = latest_occurrence(prefs, "America/New_York", at("2026-03-08T07:29"))
    assert before is not None and before.local_date.isoformat() == "2026-03-07"
    due = latest_occurrence(prefs, "America/New_York", at("2026-03-08T07:30"))
    assert due is not None
    assert due.key == "daily#2026-03-08"
    assert due.due_at == at("2026-03-08T07:30")  # 03:30 EDT
    # The day before ran from 02:30 EST (07:30Z) on the 7th: a 24-hour period across the gap.
    assert due.period_start == at("2026-03-07T07:30")


def test_new_york_fall_back_repeat_sends_at_the_first_of_the_two() -> None:
    # 2026-11-01: 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST).
    prefs = daily("01:30")
    first = latest_occurrence(prefs, "America/New_York", at("2026-11-01T05:30"))
    second = latest_occurrence(prefs, "America/New_York", at("2026-11-01T06:45"))
    assert first is not None and second is not None
    assert first.due_at == at("2026-11-01T05:30")
    assert second.key == first.key and second.due_at == first.due_at
    assert first.period_end - first.period_start == timedelta(hours=24)
    just_before = latest_occurrence(prefs, "America/New_York", at("2026-11-01T05:29"))
    assert just_before is not None and just_before.key == "daily#2026-10-31"
    # The next day's period spans the extra hour.
    nxt = latest_occurrence(prefs, "America/New_York", at("2026-11-02T06:30"))
    assert nxt is not None
    assert nxt.period_end - nxt.period_start == timedelta(hours=25)


@pytest.mark.parametrize(("now", "expected_due"), [
    ("2026-03-29T01:30", "2026-03-29T01:30"),  # 01:30 GMT does not exist: 02:30 BST = 01:30Z
    ("2026-10-25T00:30", "2026-10-25T00:30"),  # 01:30 BST (first of the repeat) = 00:30Z
])
def test_london_daylight_saving_days(now: str, expected_due: str) -> None:
    occurrence = latest_occurrence(daily("01:30"), "Europe/London", at(now))
    assert occurrence is not None and occurrence.due_at == at(expected_due)
    earlier = latest_occurrence(daily("01:30"), "Europe/London",
                                at(now) - timedelta(minutes=1))
    assert earlier is not None
    assert earlier.due_at < occurrence.due_at and earlier.key != occurrence.key


def test_weekly_digest_is_due_from_its_weekday_until_the_next_one() -> None:
    prefs = DigestPreferences(enabled=True, cadence="weekly", dayOfWeek="Monday", time="09:00")
    # Monday 2026-11-23 09:00 in Tokyo is 00:00Z; Sunday 23:59Z is still the week before.
    before = latest_occurrence(prefs, "Asia/Tokyo", at("2026-11-22T23:59"))
    assert before is not None and before.key == "weekly#2026-11-16"
    monday = latest_occurrence(prefs, "Asia/Tokyo", at("2026-11-23T00:00"))
    assert monday is not None and monday.key == "weekly#2026-11-23"
    assert monday.period_end - monday.period_start == timedelta(days=7)
    late = latest_occurrence(prefs, "Asia/Tokyo", at("2026-11-29T14:00"))  # Sunday, still due
    assert late is not None and late.key == "weekly#2026-11-23"


def test_weekly_period_across_spring_forward_is_an_hour_short() -> None:
    prefs = DigestPreferences(enabled=True, cadence="weekly", dayOfWeek="Monday", time="09:00")
    occurrence = latest_occurrence(prefs, "America/New_York", at("2026-03-09T13:00"))
    assert occurrence is not None
    assert occurrence.key == "weekly#2026-03-09"
    assert occurrence.due_at == at("2026-03-09T13:00")  # 09:00 EDT
    assert occurrence.period_end - occurrence.period_start == timedelta(days=7, hours=-1)
