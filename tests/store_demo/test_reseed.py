"""Loading the demo data again never destroys what it did not write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from cloudstro.store import Store
from cloudstro.store.demo import generate_demo, seed_demo
from cloudstro.store.records import DigestPreferences, SocialPost

UNTIL = datetime(2025, 10, 1, tzinfo=UTC)
USER = "demo_user_000"


def _hand_made_changes(store: Store) -> None:
    store.users.link_slack(USER, "U0DEMO", "T0DEMO")
    store.users.set_digest(USER, DigestPreferences(enabled=True, cadence="daily", time="08:30",
                                                   slackChannel="C0DIGEST"))
    store.accounts.connect({"userId": USER, "platform": "twitter", "accountId": "424242",
                            "accountName": "By hand", "accountHandle": "@byhand",
                            "followerCount": 12, "followingCount": 3,
                            "tokenExpiresAt": "2025-12-01T00:00:00Z",
                            "connectedAt": "2025-09-30T00:00:00Z",
                            "createdAt": "2025-09-30T00:00:00Z",
                            "updatedAt": "2025-09-30T00:00:00Z"},
                           SecretStr("hand-token"))
    store.posts.put(SocialPost.model_validate({
        "userId": USER, "platform": "twitter", "id": "1234", "content": "added since",
        "authorId": "424242", "authorName": "By hand", "authorHandle": "@byhand",
        "engagement": {"likes": 1, "shares": 0, "comments": 0},
        "createdAt": "2025-09-30T12:00:00Z", "fetchedAt": "2025-09-30T13:00:00Z"}))


def _assert_hand_made_changes_kept(store: Store) -> None:
    profile = store.users.get(USER)
    assert profile is not None
    assert (profile.slackUserId, profile.slackTeamId) == ("U0DEMO", "T0DEMO")
    assert profile.digest == DigestPreferences(enabled=True, cadence="daily", time="08:30",
                                               slackChannel="C0DIGEST")
    assert store.accounts.get_summary(USER, "twitter", "424242") is not None
    assert store.accounts.credentials(USER, "twitter", "424242") is not None
    kept = store.posts.get(USER, "twitter#1234")
    assert kept is not None and kept.content == "added since"


def _keys(store: Store) -> set[tuple[str, str]]:
    return {(p.userId, p.postId) for p in store.posts.list_for_user(USER)}


def test_seed_demo_twice_keeps_slack_link_digest_and_hand_added_items(moto_store: Store) -> None:
    seed_demo(moto_store, users=2, days=5, seed=4, until=UNTIL)
    _hand_made_changes(moto_store)

    again = seed_demo(moto_store, users=2, days=5, seed=4, until=UNTIL)
    _assert_hand_made_changes_kept(moto_store)
    assert sum(again.pruned.values()) == 0

    # Another day and another seed still replace the demo's own items, and only those.
    later = seed_demo(moto_store, users=2, days=5, seed=99, until=UNTIL + timedelta(days=2))
    _assert_hand_made_changes_kept(moto_store)
    assert later.pruned["engagement"] > 0
    expected = generate_demo(users=2, days=5, seed=99, until=UNTIL + timedelta(days=2))
    demo_posts = {(p.userId, p.postId) for p in expected.posts if p.userId == USER}
    assert _keys(moto_store) == demo_posts | {(USER, "twitter#1234")}
    profile = moto_store.users.get(USER)
    assert profile is not None and profile.fullName == expected.users[0].fullName


@pytest.mark.integration
def test_seed_demo_twice_on_dynamodb_local_keeps_what_it_did_not_write(
        local_store: Store) -> None:
    seed_demo(local_store, users=1, days=5, seed=4, until=UNTIL)
    _hand_made_changes(local_store)
    seed_demo(local_store, users=1, days=5, seed=4, until=UNTIL + timedelta(days=1))
    _assert_hand_made_changes_kept(local_store)
