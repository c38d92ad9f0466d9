"""Refresh, replacement, read-before-compute and the --all walk, on moto."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from cloudstro.insights import SkippedUser, UserRefresh, refresh_all, refresh_user
from cloudstro.insights.build import insight_id
from cloudstro.store.records import AIInsight
from cloudstro.tools.context import UserContext
from cloudstro.tools.posts import get_best_time_to_post, get_content_performance
from tests.insights.data import NOW, USER, timing_posts
from tests.support.builders import make_post, profile


@pytest.fixture
def store(moto_store):
    moto_store.users.put(profile())
    moto_store.posts.put_many(timing_posts(80, platform="twitter")
                              + timing_posts(40, platform="tiktok", seed=9))
    return moto_store


def _ask(store, tool, now=NOW, **args):
    runtime = SimpleNamespace(context=UserContext(USER, store, now))
    return tool.func(runtime, **args)


def test_refresh_replaces_instead_of_piling_up(store):
    first = refresh_user(store, USER, NOW)
    later = NOW + timedelta(hours=5)
    second = refresh_user(store, USER, later)
    assert sorted(first.written) == sorted(second.written)
    stored = store.insights.list_for_user(USER)
    assert len(stored) == len(second.written)  # one item per (type, platform)
    assert {insight.generatedAt for insight in stored} == {later}
    timing = store.insights.active(USER, insight_type="optimal_timing", now=later)
    assert {insight.platform for insight in timing} == {None, "twitter", "tiktok"}


def test_refresh_removes_what_it_no_longer_produces_and_keeps_user_notes(store):
    refresh_user(store, USER, NOW)
    note = AIInsight.model_validate({
        "userId": USER, "insightId": "user_note_1_abc", "type": "user_note",
        "confidence": 1.0, "recommendation": "Video beats images", "reasoning": "said so",
        "generatedAt": NOW, "validUntil": NOW + timedelta(days=90),
        "metadata": {"aiModel": "x", "dataPoints": 0, "version": "1.0"}})
    store.insights.put(note)
    for post in timing_posts(40, platform="tiktok", seed=9):
        store.posts.dynamo.table(store.names.posts).delete_item(
            Key={"userId": USER, "postId": post.postId})
    result = refresh_user(store, USER, NOW + timedelta(hours=1))
    assert "optimal_timing_tiktok" in result.removed
    ids = set(store.insights.ids_for_user(USER))
    assert "optimal_timing_tiktok" not in ids and "content_strategy_tiktok" not in ids
    assert "user_note_1_abc" in ids and "optimal_timing_twitter" in ids


def test_best_time_tool_reads_a_fresh_insight_in_one_request(store):
    refresh_user(store, USER, NOW)
    meter = store.dynamo.meter
    meter.reset()
    answer = _ask(store, get_best_time_to_post, platform="twitter")
    # the profile (whose zone the stored hours must match) and the insight, in one
    # BatchGetItem over both tables; nothing computed
    assert meter.snapshot()["requests"] == {"BatchGetItem": 1}
    stored = store.insights.get(USER, insight_id("optimal_timing", "twitter"))
    assert answer["source"].startswith(f"stored insight of {stored.generatedAtISO}")
    assert answer["optimal_hours"][0]["label"] == "18:00"
    assert [h["label"] for h in answer["optimal_hours"]] == stored.data["optimalTimes"]
    assert answer["confidence"] == stored.confidence and answer["enough_data"] is True


def test_expired_insight_is_recomputed_and_stored_again(store):
    refresh_user(store, USER, NOW)
    later = NOW + timedelta(days=8)  # past validUntil
    answer = _ask(store, get_best_time_to_post, now=later)
    assert answer["source"].startswith("computed now")
    renewed = store.insights.get(USER, "optimal_timing_all")
    assert renewed.generatedAt == later and answer["generatedAt"] == renewed.generatedAtISO
    meter = store.dynamo.meter
    meter.reset()
    again = _ask(store, get_best_time_to_post, now=later + timedelta(minutes=1))
    assert again["source"].startswith("stored insight")
    assert meter.snapshot()["requests"] == {"BatchGetItem": 1}  # profile and insight


def test_content_tool_reads_before_computing_and_skips_storing_odd_windows(store):
    first = _ask(store, get_content_performance, platform=None, days=90)
    assert first["source"].startswith("computed now") and first["posts_analyzed"] > 0
    second = _ask(store, get_content_performance, platform=None, days=90)
    assert second["source"].startswith("stored insight")
    assert second["media"] == first["media"] and second["period"] == first["period"]
    odd = _ask(store, get_content_performance, platform=None, days=30)
    assert "not stored" in odd["source"]


def test_too_little_data_is_stored_as_a_low_confidence_need_more_posts(moto_store):
    moto_store.users.put(profile())
    moto_store.posts.put_many(timing_posts(6))
    refresh_user(moto_store, USER, NOW)
    insight = moto_store.insights.get(USER, "optimal_timing_all")
    assert insight.confidence < 0.5 and insight.data["optimalTimes"] == []
    assert "4 more needed" in insight.recommendation
    answer = _ask(moto_store, get_best_time_to_post)
    assert answer["enough_data"] is False and answer["posts_needed"] == 4


def test_refresh_all_reports_broken_users_and_carries_on(store, monkeypatch):
    store.users.put(profile("user-2"))
    store.posts.put_many(timing_posts(30, user="user-2"))
    store.users.put(profile("user-3"))
    # A profile written by something else, with a timezone no clock knows.
    raw = profile("user-bad-zone").to_record() | {"timezone": "Mars/Olympus_Mons"}
    store.dynamo.table(store.names.users).put_item(Item=raw)
    original = store.posts.list_in_period

    def flaky(user_id, *args, **kwargs):
        if user_id == "user-3":
            raise ValueError("posts table returned an unreadable item")
        return original(user_id, *args, **kwargs)

    monkeypatch.setattr(store.posts, "list_in_period", flaky)
    seen: list[UserRefresh | SkippedUser] = []
    summary = refresh_all(store, workers=2, batch_size=2, now=NOW, on_done=seen.append)
    assert sorted(u.user_id for u in summary.refreshed) == [USER, "user-2"]
    reasons = {s.user_id: s.reason for s in summary.skipped}
    assert set(reasons) == {"user-3", "user-bad-zone"}
    assert "Mars/Olympus_Mons" in reasons["user-bad-zone"]
    assert "unreadable item" in reasons["user-3"]
    assert len(seen) == 4 and summary.insights_written > 0
    assert store.insights.ids_for_user("user-bad-zone") == []
    assert "users ok 2, skipped 2" in summary.text()


def test_a_post_of_another_user_never_enters_the_insight(store):
    store.posts.put(make_post("foreign", NOW - timedelta(days=1), 10_000, user="user-9"))
    refresh_user(store, USER, NOW)
    assert store.insights.get(USER, "optimal_timing_all").data["basedOnPosts"] == 120
