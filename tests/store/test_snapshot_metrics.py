"""Snapshot counts are what the platform reported: impressions, reach and saves round-trip, and a
count nobody reported stays absent in DynamoDB and unknown in analytics (moto)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from cloudstro.analytics import engagement_velocity
from cloudstro.store import Store
from cloudstro.store.codec import to_item
from cloudstro.store.records import EngagementSnapshot
from tests.support.builders import T0, post

USER = "user_1"


def _raw(store: Store, snapshot: EngagementSnapshot) -> dict:
    return store.dynamo.table(store.names.engagement).get_item(
        Key={"userId": USER, "engagementId": snapshot.engagementId})["Item"]


def test_impressions_reach_and_saves_round_trip(moto_store: Store) -> None:
    measured = post(user_id=USER, created_at=T0.isoformat())
    snapshot = EngagementSnapshot.measure(measured, T0 + timedelta(hours=1), likes=40, shares=3,
                                          comments=5, views=900, impressions=2500, reach=1200,
                                          saves=17)
    moto_store.engagement.put(snapshot)

    raw = _raw(moto_store, snapshot)
    assert (raw["impressions"], raw["reach"], raw["saves"]) == (2500, 1200, 17)
    [read] = moto_store.engagement.history_for_post(USER, measured.postId)
    assert read == snapshot
    assert (read.impressions, read.reach, read.saves) == (2500, 1200, 17)


def test_a_count_the_platform_did_not_report_is_absent_not_zero(moto_store: Store) -> None:
    measured = post(user_id=USER, created_at=T0.isoformat())
    # Instagram media with empty insights: the listing's likes and comments, nothing else.
    snapshot = EngagementSnapshot.measure(measured, T0 + timedelta(hours=2), likes=40,
                                          comments=5)
    moto_store.engagement.put(snapshot)

    raw = _raw(moto_store, snapshot)
    assert (raw["likes"], raw["comments"]) == (40, 5)
    for unreported in ("shares", "views", "impressions", "reach", "saves"):
        assert unreported not in raw
    [read] = moto_store.engagement.history_for_post(USER, measured.postId)
    assert (read.shares, read.reach, read.saves) == (None, None, None)
    assert read.interactions is None  # 45 would claim zero shares


def test_a_snapshot_that_measured_nothing_is_refused_on_write_but_read_back(
        moto_store: Store) -> None:
    measured = post(user_id=USER, created_at=T0.isoformat())
    with pytest.raises(ValidationError, match="at least one count"):
        EngagementSnapshot.measure(measured, T0 + timedelta(hours=1))

    at = "2025-09-20T12:00:00Z"
    moto_store.dynamo.table(moto_store.names.engagement).put_item(Item=to_item({
        "userId": USER, "engagementId": f"{measured.postId}#{at}", "timestamp": at,
        "timestampISO": at}))
    [read] = moto_store.engagement.history_for_post(USER, measured.postId)
    assert read.likes is None and read.interactions is None


def test_velocity_skips_a_measurement_without_a_full_interaction_count() -> None:
    measured = post(created_at=T0.isoformat(), fetchedAt=(T0 + timedelta(days=3)).isoformat())
    full = EngagementSnapshot.measure(measured, T0 + timedelta(minutes=50), likes=20, shares=2,
                                      comments=1)
    partial = EngagementSnapshot.measure(measured, T0 + timedelta(minutes=70), likes=30,
                                         comments=2)
    velocity = engagement_velocity(measured, [full, partial])
    # the 1-hour mark takes the last full count before it, and the partial one is not a point
    assert velocity.interactions_1h == 23
    assert velocity.measurements == 2  # the full snapshot and the post itself
    assert [point.interactions for point in velocity.history] == [
        23, measured.engagement.interactions]
