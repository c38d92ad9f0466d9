"""Turning fetched posts and measurements into the seed's records, and writing them in batches.

Every source of posts (the API connectors and the RedNote export import) goes through these
helpers, so a post record and its snapshots are built one way: `postId = "{platform}#{id}"`,
`createdAt` = the platform's publish time, hashtags from the platform's entities or the text,
and a snapshot per measurement whose `engagementId` is `"{postId}#{measured at}"`, which makes a
re-run at the same moment rewrite the same keys instead of adding rows.

A metric the platform did not report stays unknown. A snapshot holds exactly the counts that
were reported (Instagram media with empty insights: likes and comments, no shares) and is not
written when nothing was. The post's own `engagement` block is the seed's, which requires likes,
shares and comments, so there an unreported one of those is written as 0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cloudstro.ingest.base import FetchedPost, Metrics
from cloudstro.store import Store
from cloudstro.store.records import Engagement, EngagementSnapshot, SocialPost

_HASHTAG = re.compile(r"(?<![\w&])#(\w+)", re.UNICODE)
_MENTION = re.compile(r"(?<![\w@])@(\w{1,30})")
# Post engagement counts the posts table requires; an unknown one is written as 0 there.
_ENGAGEMENT_REQUIRED = tuple(name for name, info in Engagement.model_fields.items()
                             if info.is_required())


def hashtags_in(text: str) -> list[str]:
    """Hashtags in a caption, in order, without '#', each once."""
    return list(dict.fromkeys(_HASHTAG.findall(text)))


def mentions_in(text: str) -> list[str]:
    return list(dict.fromkeys(f"@{name}" for name in _MENTION.findall(text)))


@dataclass(frozen=True)
class Author:
    id: str
    name: str
    handle: str


def build_post(user_id: str, platform: str, author: Author, fetched: FetchedPost,
               metrics: Metrics, fetched_at: datetime) -> SocialPost:
    """The posts-table record of a fetched post with its latest numbers."""
    tags = list(fetched.hashtags) if fetched.hashtags is not None else hashtags_in(
        fetched.content)
    return SocialPost.model_validate({
        "userId": user_id,
        "id": fetched.id,
        "platform": platform,
        "content": fetched.content,
        "authorId": author.id,
        "authorName": author.name,
        "authorHandle": author.handle,
        "url": fetched.url,
        "engagement": _engagement(metrics),
        "media": [{"type": m.type, "url": m.url, "thumbnailUrl": m.thumbnail_url}
                  for m in fetched.media] or None,
        "hashtags": tags,
        "mentions": mentions_in(fetched.content),
        "createdAt": fetched.created_at,
        "fetchedAt": fetched_at,
        "isOwn": True,
    })


def remeasured_post(post: SocialPost, metrics: Metrics, at: datetime) -> SocialPost:
    """`post` with new numbers (unknown ones keep their last value) and `fetchedAt` = `at`."""
    previous = post.engagement.model_dump(exclude_none=True)
    current = {**previous, **_engagement(metrics, fill_required=False)}
    return post.rebuild(engagement=current, fetchedAt=at)


def build_snapshot(post: SocialPost, metrics: Metrics, at: datetime) -> EngagementSnapshot | None:
    """One measurement of `post` at `at` with the counts reported; None when none were."""
    if not metrics.known():
        return None
    return EngagementSnapshot.measure(
        post, at, likes=metrics.likes, shares=metrics.shares, comments=metrics.comments,
        views=metrics.views, impressions=metrics.impressions, reach=metrics.reach,
        saves=metrics.saves)


def _engagement(metrics: Metrics, fill_required: bool = True) -> dict[str, Any]:
    known = metrics.known()
    values: dict[str, Any] = {name: known[name] for name in ("likes", "shares", "comments", "views")
              if name in known}
    if fill_required:
        for name in _ENGAGEMENT_REQUIRED:
            values.setdefault(name, 0)
    return values


@dataclass
class WriteCounts:
    posts: int = 0
    snapshots: int = 0


class RecordWriter:
    """Batched writes of posts and snapshots, and the one existence check sync needs."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def write(self, posts: list[SocialPost], snapshots: Iterable[EngagementSnapshot | None]
              ) -> WriteCounts:
        """Posts first, then their snapshots: a snapshot never points at a missing post."""
        kept = [snapshot for snapshot in snapshots if snapshot is not None]
        counts = WriteCounts()
        if posts:
            counts.posts = self.store.posts.put_many(posts)
        if kept:
            counts.snapshots = self.store.engagement.put_many(kept)
        return counts

    def existing_post_ids(self, user_id: str, post_ids: list[str]) -> set[str]:
        """Which of `post_ids` (table keys) are stored: batched key reads, 100 per request."""
        return set(self.store.posts.get_many(user_id, post_ids))
