"""Strict on write, tolerant on read: thin items read back, unreadable ones are skipped and counted.

Items are written raw (as an older importer, a key migration or another tool would), then read
through the repositories on moto and on DynamoDB Local.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from cloudstro.store import Store
from cloudstro.store.codec import to_item
from cloudstro.store.records import AIInsight, EngagementSnapshot, SocialAccount, SocialPost
from tests.support.builders import post_data

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
USER = "alice"
SECRET_TEXT = "private caption that must never reach a log"


def _raw_put(store: Store, table_name: str, item: dict[str, Any]) -> None:
    store.dynamo.table(table_name).put_item(Item=to_item(item))


def _thin_post(post_id: str, created: datetime, **extra: Any) -> dict[str, Any]:
    """What an older importer wrote: no author attributes, no fetchedAt, no platform or id."""
    iso = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"userId": USER, "postId": f"twitter#{post_id}", "content": f"thin {post_id}",
            "engagement": {"likes": 40, "shares": 4, "comments": 6},
            "createdAt": iso, "createdAtISO": iso, **extra}


def test_a_thin_post_reads_back_on_every_read_path(store: Store) -> None:
    full = SocialPost.model_validate(post_data(USER, post_id="1",
                                               created_at="2026-11-23T09:00:00Z"))
    store.posts.put(full)
    _raw_put(store, store.names.posts,
             _thin_post("2", NOW - timedelta(hours=5), PK="USER#alice", SK="POST#2"))

    listed = store.posts.list_in_period(USER, NOW - timedelta(days=7), NOW)
    assert [post.postId for post in listed] == ["twitter#2", "twitter#1"]
    assert listed.skipped == []
    thin = store.posts.get(USER, "twitter#2")
    assert thin is not None
    assert (thin.platform, thin.id, thin.authorId, thin.fetchedAt) == ("twitter", "2", None, None)
    assert thin.engagementScore == 50
    assert {p.postId for p in store.posts.list_for_user(USER, platform="twitter")} == {
        "twitter#1", "twitter#2"}


def test_an_unreadable_post_is_skipped_logged_by_key_and_counted(
        store: Store, caplog: pytest.LogCaptureFixture) -> None:
    store.posts.put(SocialPost.model_validate(post_data(USER, post_id="1",
                                                        created_at="2026-11-23T09:00:00Z")))
    broken = _thin_post("3", NOW - timedelta(hours=2), content=SECRET_TEXT)
    broken["createdAt"] = "yesterday-ish"
    _raw_put(store, store.names.posts, broken)

    with caplog.at_level(logging.WARNING, logger="cloudstro.store"):
        listed = store.posts.list_in_period(USER, NOW - timedelta(days=7), NOW)
    assert [post.postId for post in listed] == ["twitter#1"]
    assert listed.skipped == [{"userId": USER, "postId": "twitter#3"}]
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 1 and "twitter#3" in messages[0] and "createdAt" in messages[0]
    assert SECRET_TEXT not in messages[0] and "yesterday-ish" not in messages[0]
    with pytest.raises(ValidationError):  # asked for by its key: the caller learns why
        store.posts.get(USER, "twitter#3")


def test_thin_profile_account_snapshot_and_insight_read_back(store: Store) -> None:
    names = store.names
    _raw_put(store, names.users, {"userId": USER, "recordType": "USER_PROFILE",
                                  "timezone": "Europe/Paris", "legacyPlan": "gold"})
    _raw_put(store, names.accounts, {"userId": USER, "platformAccountId": "instagram#77",
                                     "accountHandle": "@alice", "accessToken": "ciphertext"})
    _raw_put(store, names.engagement, {"userId": USER,
                                       "engagementId": "twitter#2#2026-11-24T10:00:00Z",
                                       "timestampISO": "2026-11-24T10:00:00Z",
                                       "likes": 5, "shares": 1, "comments": 2})
    _raw_put(store, names.insights, {"userId": USER, "insightId": "user_note_1795000000_x",
                                     "insightType": "user_note", "confidence": 1,
                                     "recommendation": "Video beats images for me",
                                     "generatedAt": "2026-11-20T10:00:00Z",
                                     "validUntil": "2027-02-20T10:00:00Z", "isActive": True})

    profile = store.users.get(USER)
    assert profile is not None
    assert (profile.zone, profile.fullName, profile.display_name) == ("Europe/Paris", None, USER)

    [account] = store.accounts.list_for_user(USER)
    assert (account.platform, account.accountHandle, account.followerCount) == (
        "instagram", "@alice", None)

    [snapshot] = store.engagement.history_for_post(USER, "twitter#2")
    assert (snapshot.postId, snapshot.platform, snapshot.interactions, snapshot.hourOfDay) == (
        "twitter#2", "twitter", 8, 10)
    assert snapshot.contentType is None

    [insight] = store.insights.active(USER, now=NOW)
    assert (insight.type, insight.reasoning, insight.metadata) == ("user_note", None, None)


def test_writes_stay_strict() -> None:
    thin = {key: value for key, value in post_data().items()
            if key not in ("authorId", "authorName", "authorHandle", "fetchedAt")}
    with pytest.raises(ValidationError) as caught:
        SocialPost.model_validate(thin)
    assert {error["loc"][0] for error in caught.value.errors()} == {
        "authorId", "authorName", "authorHandle", "fetchedAt"}
    assert all(error["msg"] == "Field required" for error in caught.value.errors())

    read = SocialPost.from_stored(thin)
    with pytest.raises(ValidationError, match="authorId"):  # a read is not a licence to write
        read.rebuild(content="edited")
    with pytest.raises(ValidationError, match="metadata"):
        AIInsight.model_validate({"userId": USER, "insightId": "user_note_1_a",
                                  "type": "user_note", "confidence": 1, "recommendation": "x",
                                  "reasoning": "y", "generatedAt": "2026-11-20T10:00:00Z",
                                  "validUntil": "2026-12-20T10:00:00Z"})
    with pytest.raises(ValidationError, match="followerCount"):
        SocialAccount.model_validate({"userId": USER, "platform": "twitter", "accountId": "1",
                                      "accountName": "A", "accountHandle": "@a",
                                      "followingCount": 1, "accessToken": "c",
                                      "tokenExpiresAt": "2026-12-20T10:00:00Z",
                                      "connectedAt": "2026-11-20T10:00:00Z",
                                      "createdAt": "2026-11-20T10:00:00Z",
                                      "updatedAt": "2026-11-20T10:00:00Z"})
    with pytest.raises(ValidationError, match="characterCount"):
        EngagementSnapshot.model_validate({"userId": USER, "postId": "twitter#1",
                                           "platform": "twitter", "likes": 1, "shares": 1,
                                           "comments": 1, "timestamp": "2026-11-20T10:00:00Z",
                                           "contentType": "text_post", "hashtagCount": 0})
