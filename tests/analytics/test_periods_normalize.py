from datetime import UTC, datetime, timedelta

import pytest

from cloudstro.analytics import Period, account_medians, post_outcomes
from tests.support.builders import make_post

NOW = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)


def test_last_and_previous_periods_tile_time():
    week = Period.last(7, NOW)
    assert week.start == datetime(2026, 11, 17, 15, 30, tzinfo=UTC)
    assert week.end == NOW
    assert week.label == "last 7 days (2026-11-17 to 2026-11-24)"
    before = week.previous()
    assert before.end == week.start
    assert before.length == timedelta(days=7)
    assert before.label == "previous 7 days (2026-11-10 to 2026-11-17)"


def test_contains_is_half_open_and_between_labels_inclusive_dates():
    month = Period.between(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    assert month.label == "2026-11-01 to 2026-11-30"
    assert month.contains(datetime(2026, 11, 1, tzinfo=UTC))
    assert not month.contains(datetime(2026, 12, 1, tzinfo=UTC))
    assert month.model_dump(mode="json")["start"] == "2026-11-01T00:00:00Z"
    with pytest.raises(ValueError):
        Period.last(7, datetime(2026, 11, 24))  # naive


def test_outcomes_are_relative_to_each_accounts_median():
    posts = [
        make_post("a1", "2026-11-01T10:00:00Z", 9, author="small"),
        make_post("a2", "2026-11-02T10:00:00Z", 19, author="small"),
        make_post("a3", "2026-11-03T10:00:00Z", 29, author="small"),
        make_post("b1", "2026-11-01T10:00:00Z", 999, author="big", platform="instagram"),
        make_post("b2", "2026-11-02T10:00:00Z", 1999, author="big", platform="instagram"),
    ]
    medians = account_medians(posts)
    assert medians[("twitter", "small")] == 19
    assert medians[("instagram", "big")] == 1499
    out = post_outcomes(posts)
    assert out["twitter#a2"] == pytest.approx(1.0)
    assert out["twitter#a3"] == pytest.approx(30 / 20)
    assert out["instagram#b2"] == pytest.approx(2000 / 1500)


def test_zero_median_account_stays_finite():
    posts = [make_post(f"z{i}", "2026-11-01T10:00:00Z", likes) for i, likes in
             enumerate([0, 0, 0, 3])]
    out = post_outcomes(posts)
    assert out["twitter#z0"] == pytest.approx(1.0)
    assert out["twitter#z3"] == pytest.approx(4.0)
