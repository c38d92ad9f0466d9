"""Demo data: deterministic, valid, realistic, and carrying a planted truth analysis can find."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from statistics import mean, median
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cloudstro.store import Store
from cloudstro.store.demo import (
    SNAPSHOT_OFFSETS,
    DemoData,
    default_until,
    generate_demo,
    seed_demo,
)
from cloudstro.store.records import EngagementSnapshot, SocialAccount, SocialPost, UserProfile

UNTIL = datetime(2025, 10, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def data() -> DemoData:
    return generate_demo(users=24, days=45, seed=11, until=UNTIL)


def _dump(demo: DemoData) -> dict[str, Any]:
    return {
        "users": [user.to_record() for user in demo.users],
        "accounts": [(a.fields, a.access_token.get_secret_value(),
                      a.refresh_token.get_secret_value() if a.refresh_token else None)
                     for a in demo.accounts],
        "posts": [post.to_record() for post in demo.posts],
        "snapshots": [snapshot.to_record() for snapshot in demo.snapshots],
        "best": demo.best_hours,
    }


def _scan_count(store: Store, table_name: str) -> int:
    table = store.dynamo.table(table_name)
    kwargs: dict[str, Any] = {"Select": "COUNT"}
    total = 0
    while True:
        page = table.scan(**kwargs)
        total += page["Count"]
        if "LastEvaluatedKey" not in page:
            return total
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _table_counts(store: Store) -> dict[str, int]:
    names = store.names
    return {role: _scan_count(store, name) for role, name in
            (("users", names.users), ("accounts", names.accounts), ("posts", names.posts),
             ("engagement", names.engagement))}


# ------------------------------------------------------------------------ determinism


def test_same_seed_and_until_give_identical_records(data: DemoData) -> None:
    again = generate_demo(users=24, days=45, seed=11, until=UNTIL)
    assert _dump(again) == _dump(data)


def test_a_different_seed_gives_different_records_with_the_same_user_ids(data: DemoData) -> None:
    other = generate_demo(users=24, days=45, seed=12, until=UNTIL)
    assert _dump(other)["posts"] != _dump(data)["posts"]
    assert [u.userId for u in other.users] == [u.userId for u in data.users]
    assert [u.email for u in other.users] == [u.email for u in data.users]


def test_user_data_does_not_depend_on_the_number_of_users(data: DemoData) -> None:
    fewer = generate_demo(users=3, days=45, seed=11, until=UNTIL)
    first_three = {f"demo_user_{i:03d}" for i in range(3)}
    assert [p.to_record() for p in fewer.posts] == [
        p.to_record() for p in data.posts if p.userId in first_three]


def test_post_ids_do_not_move_with_until(data: DemoData) -> None:
    """A rerun on another day overwrites the same posts rather than adding new ones."""
    later = generate_demo(users=24, days=45, seed=11, until=UNTIL + timedelta(days=3))
    assert {(p.userId, p.postId) for p in later.posts} == {
        (p.userId, p.postId) for p in data.posts}


def test_default_until_is_the_start_of_the_current_utc_hour() -> None:
    now = datetime(2025, 10, 1, 15, 30, 12, tzinfo=UTC)
    assert default_until(now) == datetime(2025, 10, 1, 15, tzinfo=UTC)
    demo = generate_demo(users=1, days=3, seed=1)
    assert demo.until == default_until()
    assert max(post.createdAt for post in demo.posts) <= demo.until  # nothing in the future


# ------------------------------------------------------------------------ validity and shape


def test_every_record_validates_and_round_trips(data: DemoData) -> None:
    for user in data.users:
        assert UserProfile.model_validate(user.to_record()) == user
    for post in data.posts:
        assert SocialPost.model_validate(post.to_record()) == post
    for snapshot in data.snapshots:
        assert EngagementSnapshot.model_validate(snapshot.to_record()) == snapshot
    for account in data.accounts:
        SocialAccount.model_validate({**account.fields, "accessToken": "ciphertext"})
        assert account.access_token.get_secret_value().startswith("demo-access-")


def test_accounts_match_connected_platforms(data: DemoData) -> None:
    platforms: dict[str, list[str]] = defaultdict(list)
    for account in data.accounts:
        platforms[account.fields["userId"]].append(account.fields["platform"])
    for user in data.users:
        assert 2 <= len(user.socialAccountsConnected) <= 5
        assert sorted(user.socialAccountsConnected) == sorted(platforms[user.userId])
    posted = {(p.userId, p.platform) for p in data.posts}
    assert posted <= {(a.fields["userId"], a.fields["platform"]) for a in data.accounts}


def test_ids_derive_from_indices(data: DemoData) -> None:
    assert [u.userId for u in data.users] == [f"demo_user_{i:03d}" for i in range(24)]
    assert [u.email for u in data.users] == [f"demo{i:03d}@example.com" for i in range(24)]
    assert len({(p.userId, p.postId) for p in data.posts}) == len(data.posts)
    assert len({(s.userId, s.engagementId) for s in data.snapshots}) == len(data.snapshots)


def test_timezones_vary_and_are_valid(data: DemoData) -> None:
    zones = Counter(user.timezone for user in data.users)
    assert len(zones) >= 8
    assert {"America/New_York", "Asia/Tokyo", "Europe/London"} & set(zones)
    for zone in zones:
        assert zone is not None
        ZoneInfo(zone)


def test_follower_counts_vary_a_hundredfold_and_sync_is_mostly_active(data: DemoData) -> None:
    followers = [a.fields["followerCount"] for a in data.accounts]
    assert max(followers) >= 100 * min(followers)
    statuses = Counter(a.fields["syncStatus"] for a in data.accounts)
    assert statuses["active"] > 0.8 * len(data.accounts)
    assert set(statuses) <= {"active", "error"}
    assert any(a.fields["syncStatus"] == "error" for a in
               generate_demo(users=60, days=1, seed=3, until=UNTIL).accounts)


def test_posts_look_like_their_platform(data: DemoData) -> None:
    for post in data.posts:
        assert data.until - timedelta(days=data.days) <= post.createdAt <= data.until
        assert post.fetchedAt is not None and post.fetchedAt > post.createdAt
        assert post.url and post.url.startswith("https://")
        for tag in post.hashtags:
            assert f"#{tag}" in post.content
        for mention in post.mentions:
            assert mention.startswith("@") and mention in post.content
        for medium in post.media or []:
            assert medium.url.startswith("https://cdn.example.com/") and medium.altText
        if post.platform == "twitter":
            assert len(post.content) <= 280
        if post.platform in ("tiktok",):
            assert post.media and post.media[0].type == "video"
    kinds = Counter(p.content_type for p in data.posts)
    assert kinds["text_post"] and kinds["image_post"] and kinds["video_post"]
    assert {p.sentiment for p in data.posts} == {"positive", "neutral", "negative"}


def test_some_posts_have_unknown_views_never_zero(data: DemoData) -> None:
    unknown = [p for p in data.posts if p.engagement.views is None]
    assert any(p.platform == "facebook" for p in unknown)
    assert all(p.engagementRate is None for p in unknown)
    assert all(p.platform != "tiktok" for p in unknown)


def test_video_outperforms_image_outperforms_text(data: DemoData) -> None:
    ratio: dict[str, list[float]] = defaultdict(list)
    by_account: dict[tuple[str, str], list[SocialPost]] = defaultdict(list)
    for post in data.posts:
        by_account[(post.userId, post.platform)].append(post)
    for posts in by_account.values():
        middle = median(p.engagementScore for p in posts) or 1
        for post in posts:
            ratio[post.content_type].append(post.engagementScore / middle)
    assert mean(ratio["video_post"]) > mean(ratio["image_post"]) > mean(ratio["text_post"])


# ------------------------------------------------------------------------ snapshots


def test_snapshots_at_30m_1h_24h_with_measurement_timestamps(data: DemoData) -> None:
    history: dict[tuple[str, str], list[EngagementSnapshot]] = defaultdict(list)
    for snapshot in data.snapshots:
        history[(snapshot.userId, snapshot.postId)].append(snapshot)
    assert len(history) == len(data.posts)
    for post in data.posts:
        snapshots = sorted(history[(post.userId, post.postId)], key=lambda s: s.timestamp)
        expected = [post.createdAt + o for o in SNAPSHOT_OFFSETS
                    if post.createdAt + o <= data.until]
        assert [s.timestamp for s in snapshots] == expected
        for snapshot in snapshots:
            assert snapshot.hourOfDay == snapshot.timestamp.hour
            assert snapshot.engagementId == f"{post.postId}#{snapshot.timestampISO}"
        latest = snapshots[-1]
        assert post.engagement.model_dump() == {
            "likes": latest.likes, "shares": latest.shares, "comments": latest.comments,
            "views": latest.views}
        assert post.fetchedAt == latest.timestamp
        for earlier, later in pairwise(snapshots):
            assert earlier.likes is not None and later.likes is not None
            assert earlier.interactions is not None and later.interactions is not None
            assert earlier.likes <= later.likes and earlier.interactions <= later.interactions
        if len(snapshots) == 3:
            velocity = snapshots[2].engagementVelocity
            assert velocity is not None
            assert (velocity.first30min, velocity.firstHour, velocity.first24hours) == tuple(
                s.interactions for s in snapshots)
            assert snapshots[0].engagementVelocity is None
    recent = [p for p in data.posts if p.createdAt > data.until - timedelta(hours=24)]
    assert recent, "some posts are younger than a day and so lack the +24h snapshot"


# ------------------------------------------------------------------------ planted truth


def test_planted_best_hour_is_visible_in_raw_data(data: DemoData) -> None:
    zones = {user.userId: ZoneInfo(user.zone) for user in data.users}
    by_account: dict[tuple[str, str], list[SocialPost]] = defaultdict(list)
    for post in data.posts:
        by_account[(post.userId, post.platform)].append(post)
    scores: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for (user_id, _), posts in by_account.items():
        middle = median(p.engagementScore for p in posts) or 1
        for post in posts:
            local_hour = post.createdAt.astimezone(zones[user_id]).hour
            scores[user_id].append((local_hour, post.engagementScore / middle))
    checked = above = raw_above = 0
    for user_id, rows in scores.items():
        best = data.best_hours[user_id]
        at_best = [score for hour, score in rows if hour == best]
        if len(at_best) < 5:
            continue
        checked += 1
        above += mean(at_best) > mean(score for _, score in rows)
        raw = [p.engagementScore for p in data.posts if p.userId == user_id]
        raw_best = [p.engagementScore for p in data.posts if p.userId == user_id
                    and p.createdAt.astimezone(zones[user_id]).hour == best]
        raw_above += mean(raw_best) > mean(raw)
    assert checked >= 15
    assert above >= 0.9 * checked
    assert raw_above >= 0.7 * checked
    assert all(0 <= hour <= 23 for hour in data.best_hours.values())
    assert all(data.best_hours[u] != data.second_best_hours[u] for u in data.best_hours)


# ------------------------------------------------------------------------ loading


def test_seed_demo_encrypts_tokens(moto_store: Store) -> None:
    demo = generate_demo(users=2, days=3, seed=5, until=UNTIL)
    seed_demo(moto_store, users=2, days=3, seed=5, until=UNTIL)
    table = moto_store.dynamo.table(moto_store.names.accounts)
    for account in demo.accounts:
        key = {"userId": account.fields["userId"],
               "platformAccountId": f"{account.fields['platform']}#{account.fields['accountId']}"}
        item = table.get_item(Key=key)["Item"]
        plain = account.access_token.get_secret_value()
        assert item["accessToken"] != plain and plain not in item["accessToken"]
        if account.refresh_token:
            assert account.refresh_token.get_secret_value() not in item["refreshToken"]
        credentials = moto_store.accounts.credentials(
            account.fields["userId"], account.fields["platform"], account.fields["accountId"])
        assert credentials is not None
        assert credentials.access_token.get_secret_value() == plain


def test_seed_demo_is_idempotent_and_reports_progress(moto_store: Store) -> None:
    calls: list[tuple[str, int, int]] = []
    first = seed_demo(moto_store, users=3, days=10, seed=9, until=UNTIL,
                      progress=lambda *call: calls.append(call))
    counts = _table_counts(moto_store)
    expected = generate_demo(users=3, days=10, seed=9, until=UNTIL).counts()
    assert counts == expected == first.counts
    assert first.elapsed_seconds >= first.generate_seconds >= 0
    assert "wrote" in first.summary()
    phases = {phase for phase, _, _ in calls}
    assert {"users", "accounts", "posts", "engagement"} <= phases
    final = {phase: (done, total) for phase, done, total in calls}
    assert all(done == total for done, total in final.values())

    again = seed_demo(moto_store, users=3, days=10, seed=9, until=UNTIL)
    assert _table_counts(moto_store) == counts
    assert sum(again.pruned.values()) == 0


def test_seed_demo_on_another_day_replaces_rather_than_accumulates(moto_store: Store) -> None:
    seed_demo(moto_store, users=2, days=5, seed=4, until=UNTIL)
    later = seed_demo(moto_store, users=2, days=5, seed=4, until=UNTIL + timedelta(days=2))
    expected = generate_demo(users=2, days=5, seed=4, until=UNTIL + timedelta(days=2)).counts()
    assert _table_counts(moto_store) == expected
    assert later.pruned["engagement"] > 0  # snapshot keys carry their (moved) times
    reseeded = seed_demo(moto_store, users=2, days=5, seed=99, until=UNTIL)
    assert _table_counts(moto_store) == reseeded.counts


@pytest.mark.integration
def test_seed_demo_on_dynamodb_local_reads_back_through_the_repositories(
        local_store: Store) -> None:
    report = seed_demo(local_store, users=3, days=14, seed=21, until=UNTIL)
    demo = generate_demo(users=3, days=14, seed=21, until=UNTIL)
    assert _table_counts(local_store) == demo.counts() == report.counts
    post = demo.posts[0]
    assert local_store.posts.get(post.userId, post.postId) == post
    history = local_store.engagement.history_for_post(post.userId, post.postId)
    assert [s.timestamp for s in history] == sorted(
        s.timestamp for s in demo.snapshots if s.postId == post.postId and s.userId == post.userId)
    user = local_store.users.get(demo.users[0].userId)
    assert user is not None and user.timezone == demo.users[0].timezone
    seed_demo(local_store, users=3, days=14, seed=21, until=UNTIL)
    assert _table_counts(local_store) == report.counts
