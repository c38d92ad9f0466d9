"""Builders for valid records, and for seeding a store with them; each test states only what it
cares about.

One builder per record type: `user`, `account_fields`, `post_data`/`post`, `insight`. The
rest are shorthands over them for the way a group of tests thinks about its data: `make_post`
(a post by its counts and time, as analytics tests write it), `profile` (the New York user of
the insight tests) and the `add_*` helpers, which write what they build.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import SecretStr

from cloudstro.store import Store
from cloudstro.store.records import (
    AIInsight,
    DigestPreferences,
    EngagementSnapshot,
    SocialPost,
    UserProfile,
    new_insight_id,
)

T0 = datetime(2025, 9, 20, 10, 0, tzinfo=UTC)


def user(user_id: str = "user_1", **fields: Any) -> UserProfile:
    data: dict[str, Any] = {
        "userId": user_id, "email": f"{user_id}@example.com", "username": user_id,
        "fullName": user_id.title(), "createdAt": "2025-09-20T10:00:00Z",
        "updatedAt": "2025-09-20T10:00:00Z",
    }
    data.update(fields)
    return UserProfile.model_validate(data)


def profile(user_id: str = "user-1", timezone: str = "America/New_York") -> UserProfile:
    """A user whose best times are asked for in a zone of their own."""
    return user(user_id, fullName="Test User", createdAt="2025-01-01T00:00:00Z",
                updatedAt="2025-01-01T00:00:00Z", timezone=timezone)


def account_fields(user_id: str = "user_1", platform: str = "twitter",
                   account_id: str = "111", **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "userId": user_id, "platform": platform, "accountId": account_id,
        "accountName": f"{platform} {account_id}", "accountHandle": f"@{platform}{account_id}",
        "followerCount": 1500, "followingCount": 300,
        "tokenExpiresAt": "2025-12-20T10:00:00Z", "connectedAt": "2025-09-20T10:00:00Z",
        "createdAt": "2025-09-20T10:00:00Z", "updatedAt": "2025-09-20T10:00:00Z",
    }
    data.update(fields)
    return data


def post_data(user_id: str = "user_1", platform: str = "twitter", post_id: str = "1",
              created_at: str | datetime = "2025-09-20T10:00:00Z", **fields: Any
              ) -> dict[str, Any]:
    data: dict[str, Any] = {
        "userId": user_id, "id": post_id, "platform": platform, "content": f"post {post_id}",
        "authorId": "a1", "authorName": "Author", "authorHandle": "@author",
        "engagement": {"likes": 10, "shares": 2, "comments": 3, "views": 500},
        "createdAt": created_at, "fetchedAt": "2025-09-21T00:00:00Z",
    }
    data.update(fields)
    return data


def post(**kwargs: Any) -> SocialPost:
    return SocialPost.model_validate(post_data(**kwargs))


def make_post(
    post_id: str,
    created_at: datetime | str,
    likes: int,
    shares: int = 0,
    comments: int = 0,
    views: int | None = None,
    *,
    platform: str = "twitter",
    author: str = "acct-1",
    content: str = "hello world",
    hashtags: list[str] | None = None,
    media: list[dict[str, Any]] | None = None,
    user: str = "user-1",
) -> SocialPost:
    """A post by what analytics reads: when it was published and what it earned."""
    created = created_at if isinstance(created_at, str) else created_at.astimezone(UTC)
    extra: dict[str, Any] = {} if media is None else {"media": media}
    return post(user_id=user, platform=platform, post_id=post_id, created_at=created,
                content=content, authorId=author, url=f"https://example.com/{post_id}",
                engagement={"likes": likes, "shares": shares, "comments": comments,
                            "views": views},
                fetchedAt="2026-12-31T00:00:00Z", hashtags=hashtags or [], **extra)


def insight(user_id: str = "user_1", insight_type: str = "optimal_timing",
            suffix: str = "a", confidence: float = 0.9,
            generated_at: datetime = T0, valid_until: str = "2025-09-27T10:00:00Z",
            **fields: Any) -> AIInsight:
    data: dict[str, Any] = {
        "userId": user_id, "insightId": new_insight_id(insight_type, generated_at, suffix),
        "type": insight_type, "confidence": confidence,
        "recommendation": f"do {insight_type} {suffix}", "reasoning": "because",
        "generatedAt": generated_at, "validUntil": valid_until,
        "metadata": {"aiModel": "claude", "dataPoints": 10, "version": "1.0"},
    }
    data.update(fields)
    return AIInsight.model_validate(data)


# --------------------------------------------------------------------------- seeding a store


def add_user(store: Store, user_id: str, *, timezone: str = "UTC", slack_user: str | None = None,
             **digest: Any) -> None:
    """A profile with digest preferences (enabled unless told otherwise)."""
    prefs = DigestPreferences.model_validate({"enabled": True, **digest})
    store.users.put(user(user_id, timezone=timezone, slackUserId=slack_user, digest=prefs))


def add_account(store: Store, user_id: str, platform: str = "twitter", account_id: str = "111",
                **fields: Any) -> None:
    store.accounts.connect(account_fields(user_id, platform, account_id, **fields),
                           SecretStr("token-plaintext"))


def add_posts(store: Store, user_id: str, platform: str, start: datetime, count: int, *,
              every: timedelta = timedelta(hours=5), content: str | None = None,
              views: bool = True, snapshots: bool = True, tag: str = "") -> list[SocialPost]:
    """`count` posts from `start`, interactions growing with the index (so ranks are known),
    each measured at 30 min, 1 h and 24 h after posting."""
    posts, measured = [], []
    for index in range(count):
        created = start + every * index
        likes = 10 + 7 * index
        built = post(
            user_id=user_id, platform=platform, post_id=f"{platform}{tag}{index}",
            created_at=created.isoformat(), content=content or f"{platform} post number {index}",
            engagement={"likes": likes, "shares": index, "comments": 2,
                        **({"views": 400 + 10 * index} if views else {})},
            fetchedAt=(created + timedelta(days=2)).isoformat(),
            url=f"https://example.com/{platform}/{index}")
        posts.append(built)
        if snapshots:
            for minutes, share in ((30, 0.3), (60, 0.5), (24 * 60, 1.0)):
                measured.append(EngagementSnapshot.measure(
                    built, created + timedelta(minutes=minutes), likes=round(likes * share),
                    shares=round(index * share), comments=2 if share == 1.0 else 1))
    store.posts.put_many(posts)
    if measured:
        store.engagement.put_many(measured)
    return posts
