"""Small builders for valid records; each test states only what it cares about."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cloudstro.store.records import AIInsight, SocialPost, UserProfile, new_insight_id

T0 = datetime(2025, 9, 20, 10, 0, tzinfo=UTC)


def user(user_id: str = "user_1", **fields: Any) -> UserProfile:
    data: dict[str, Any] = {
        "userId": user_id, "email": f"{user_id}@example.com", "username": user_id,
        "fullName": user_id.title(), "createdAt": "2025-09-20T10:00:00Z",
        "updatedAt": "2025-09-20T10:00:00Z",
    }
    data.update(fields)
    return UserProfile.model_validate(data)


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
              created_at: str = "2025-09-20T10:00:00Z", **fields: Any) -> dict[str, Any]:
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
