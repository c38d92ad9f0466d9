"""Best-time analysis recovers the posting hour the demo generator planted, in local time."""

from __future__ import annotations

from datetime import UTC, datetime

from cloudstro.analytics import best_posting_times
from cloudstro.store.demo import generate_demo


def test_planted_best_hour_is_recovered_in_each_users_timezone():
    data = generate_demo(users=8, days=60, seed=2024, until=datetime(2026, 11, 1, tzinfo=UTC))
    zones = {user.userId: user.zone for user in data.users}
    assert len(set(zones.values()) - {"UTC"}) >= 4, "the check needs non-UTC users"
    hits = 0
    for user_id, planted in data.best_hours.items():
        posts = [post for post in data.posts if post.userId == user_id]
        result = best_posting_times(posts, zones[user_id])
        assert result.enough_data and result.timezone == zones[user_id]
        if planted in [slot.hour for slot in result.optimal_hours]:
            hits += 1
    assert hits >= 7, f"recovered the planted hour for {hits} of {len(data.best_hours)} users"
