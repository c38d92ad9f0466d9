"""Digest fixtures: the mock Slack Web API, a client pointed at it, and small data builders."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from slack_sdk import WebClient

from cloudstro.store import Store
from cloudstro.store.records import DigestPreferences, EngagementSnapshot, SocialPost
from tests.slack.mock_slack import MockSlack
from tests.store.factories import account_fields, post_data, user

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def slack() -> Iterator[MockSlack]:
    with MockSlack() as mock:
        yield mock


@pytest.fixture
def client(slack: MockSlack) -> WebClient:
    return WebClient(token="xoxb-test-token", base_url=slack.base_url)


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
        post = SocialPost.model_validate(post_data(
            user_id, platform, f"{platform}{tag}{index}", created.isoformat(),
            content=content or f"{platform} post number {index}",
            engagement={"likes": likes, "shares": index, "comments": 2,
                        **({"views": 400 + 10 * index} if views else {})},
            fetchedAt=(created + timedelta(days=2)).isoformat(),
            url=f"https://example.com/{platform}/{index}"))
        posts.append(post)
        if snapshots:
            for minutes, share in ((30, 0.3), (60, 0.5), (24 * 60, 1.0)):
                measured.append(EngagementSnapshot.measure(
                    post, created + timedelta(minutes=minutes), likes=round(likes * share),
                    shares=round(index * share), comments=2 if share == 1.0 else 1))
    store.posts.put_many(posts)
    if measured:
        store.engagement.put_many(measured)
    return posts


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, after checking the PNG signature."""
    assert data[:8] == PNG_MAGIC, "not a PNG signature"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # a Tuesday
