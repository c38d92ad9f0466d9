from datetime import timedelta

from cloudstro.analytics import engagement_velocity
from cloudstro.store.records import EngagementSnapshot, EngagementVelocity
from tests.support.builders import make_post


def test_marks_use_latest_measurement_at_or_before():
    post = make_post("v1", "2026-11-01T10:00:00Z", 500, 50, 50)  # fetched 2026-12-31
    at = post.createdAt
    snaps = [
        EngagementSnapshot.measure(post, at + timedelta(minutes=m), likes=likes, shares=0,
                                   comments=0)
        for m, likes in [(10, 20), (25, 50), (55, 120), (300, 400), (1500, 580)]
    ]
    v = engagement_velocity(post, snaps)
    assert (v.interactions_30min, v.interactions_1h, v.interactions_24h) == (50, 120, 400)
    assert v.first_hour_share == 0.3
    assert v.measurements == 6
    assert v.latest_interactions == 600
    assert v.history[0].minutes_after_post == 10
    assert v.filled_from_stored_velocity == []


def test_unknown_marks_stay_none_or_come_from_stored_velocity():
    post = make_post("v2", "2026-11-01T10:00:00Z", 5)
    post = post.rebuild(fetchedAt="2026-11-01T10:20:00Z")
    snap = EngagementSnapshot.measure(
        post, post.createdAt + timedelta(minutes=10), likes=3, shares=0, comments=0,
        velocity=EngagementVelocity(firstHour=40))
    v = engagement_velocity(post, [snap])
    assert v.interactions_30min is None  # measuring stopped at 20 minutes
    assert v.interactions_1h == 40 and v.filled_from_stored_velocity == ["firstHour"]
    assert v.interactions_24h is None and v.first_hour_share is None


def test_history_is_thinned_to_twenty_points():
    post = make_post("v3", "2026-11-01T10:00:00Z", 100)
    snaps = [EngagementSnapshot.measure(post, post.createdAt + timedelta(minutes=5 * i),
                                        likes=i, shares=0, comments=0) for i in range(1, 60)]
    v = engagement_velocity(post, snaps)
    assert len(v.history) == 20
    assert v.history[0].minutes_after_post == 5 and v.history[-1].interactions == 100
