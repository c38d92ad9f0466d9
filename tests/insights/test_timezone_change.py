"""Best hours are local hours: after a timezone change the stored ones are recomputed, and a
fresh insight in the right zone is still answered with one read."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cloudstro.insights import refresh_user
from cloudstro.insights.answers import best_time
from cloudstro.insights.build import OtherTimezone, timing_answer
from cloudstro.insights.engine import change_timezone
from tests.insights.data import NOW, USER, timing_posts
from tests.support.builders import profile

# timing_posts: the best hour is 18:00 New York (22:00 or 23:00 UTC, 07:00 or 08:00 Tokyo).


@pytest.fixture
def store(moto_store):
    moto_store.users.put(profile(timezone="America/New_York"))
    moto_store.posts.put_many(timing_posts(120, platform="twitter"))
    refresh_user(moto_store, USER, NOW)
    return moto_store


def _best(store, platform=None):
    return store.insights.get(USER, "optimal_timing_all" if platform is None
                              else f"optimal_timing_{platform}")


def test_changing_timezone_recomputes_stored_timing_insights_in_the_new_zone(store):
    assert _best(store).data["timezone"] == "America/New_York"
    assert _best(store).data["optimalTimes"][0] == "18:00"
    later = NOW + timedelta(hours=2)
    change_timezone(store, USER, "Asia/Tokyo", later)
    assert store.users.get(USER).zone == "Asia/Tokyo"
    for insight in (_best(store), _best(store, "twitter")):
        assert insight.data["timezone"] == "Asia/Tokyo"
        assert insight.generatedAt == later
        assert insight.data["optimalTimes"][0] in {"07:00", "08:00"}


def test_an_insight_from_another_zone_is_recomputed_not_served(store):
    store.users.set_timezone(USER, "Asia/Tokyo")  # changed behind the engine's back
    meter = store.dynamo.meter
    meter.reset()
    answer = best_time(store, USER, None, NOW + timedelta(hours=1), timezone="Asia/Tokyo")
    assert answer["source"].startswith("computed now")
    assert answer["timezone"] == "Asia/Tokyo"
    assert answer["optimal_hours"][0]["label"] in {"07:00", "08:00"}
    assert meter.snapshot()["requests"].get("PutItem") == 1
    with pytest.raises(OtherTimezone):
        timing_answer(store.insights.get(USER, "optimal_timing_all"), "America/New_York")


def test_an_insight_in_the_callers_zone_is_still_one_get_item(store):
    meter = store.dynamo.meter
    meter.reset()
    answer = best_time(store, USER, None, NOW + timedelta(hours=1),
                       timezone="America/New_York")
    assert meter.snapshot()["requests"] == {"GetItem": 1}
    assert answer["source"].startswith("stored insight")
    assert answer["outcome"] == "interactions / account median"  # these posts have no views


def test_a_caller_without_the_zone_reads_it_and_never_serves_another_zones_hours(store):
    store.users.set_timezone(USER, "Asia/Tokyo")  # the tool path passes no timezone
    answer = best_time(store, USER, None, NOW + timedelta(hours=1))
    assert answer["source"].startswith("computed now")
    assert answer["timezone"] == "Asia/Tokyo"
    meter = store.dynamo.meter
    meter.reset()
    again = best_time(store, USER, None, NOW + timedelta(hours=2))
    assert again["source"].startswith("stored insight") and again["timezone"] == "Asia/Tokyo"
    assert meter.snapshot()["requests"] == {"BatchGetItem": 1}  # the profile with the insight
