"""The reads behind one digest, and the keys and periods they are read for.

A bounded number of reads per user whatever their volume: one posts read over the history
window, one accounts read, one live-insights read, the previous digest's record (passed in by
the caller, who holds the claims), and engagement history for the four posts the digest names.
Composing the digest from these inputs is pure (`digests.content.compose`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cloudstro.analytics import Period, top_and_bottom
from cloudstro.digests.schedule import Occurrence
from cloudstro.store import Store
from cloudstro.store.records import (
    AccountSummary,
    AIInsight,
    EngagementSnapshot,
    SocialPost,
    UserProfile,
)
from cloudstro.store.runtime_keys import digest_claim_key

HISTORY_DAYS = 90  # posting-time evidence (heatmap, best slots when no insight is stored)
TOP_POSTS = 3
MAX_ACCOUNTS = 50
HISTORY_SNAPSHOTS = 50  # per post: enough to cover 24 hours of measurements


def digest_key(user_id: str, occurrence: Occurrence) -> str:
    """The runtime-table key that makes one user's digest for one period happen once."""
    return digest_claim_key(user_id, occurrence.key)


def previous_occurrence_key(occurrence: Occurrence) -> str:
    step = 1 if occurrence.cadence == "daily" else 7
    return f"{occurrence.cadence}#{(occurrence.local_date - timedelta(days=step)).isoformat()}"


def previous_digest_key(user_id: str, occurrence: Occurrence) -> str:
    """The claim of the digest before this one, whose record carries its follower count."""
    return digest_claim_key(user_id, previous_occurrence_key(occurrence))


@dataclass
class DigestInputs:
    """Everything a digest is made of, read once."""

    profile: UserProfile
    occurrence: Occurrence
    now: datetime
    posts: list[SocialPost]  # own posts of [period_end - HISTORY_DAYS, period_end)
    accounts: list[AccountSummary]
    insights: list[AIInsight]  # live, most confident first
    previous_record: dict[str, Any] | None  # the previous period's sent-digest record
    histories: dict[str, list[EngagementSnapshot]] = field(default_factory=dict)


def gather(store: Store, profile: UserProfile, occurrence: Occurrence, now: datetime,
           previous_record: dict[str, Any] | None = None) -> DigestInputs:
    """The reads for one digest; engagement history is fetched for the named posts only."""
    end = occurrence.period_end
    posts = [post for post in store.posts.list_in_period(
        profile.userId, end - timedelta(days=HISTORY_DAYS), end) if post.isOwn]
    inputs = DigestInputs(
        profile=profile, occurrence=occurrence, now=now, posts=posts,
        accounts=store.accounts.list_for_user(profile.userId, limit=MAX_ACCOUNTS),
        insights=store.insights.active(profile.userId, now=now),
        previous_record=previous_record,
    )
    for post in _named_posts(inputs):
        inputs.histories[post.postId] = store.engagement.history_for_post(
            profile.userId, post.postId, limit=HISTORY_SNAPSHOTS)
    return inputs


def _local_label(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """Periods start and end at the user's digest time, so they are labelled on their clock."""
    first, last = start.astimezone(zone), end.astimezone(zone)
    return f"{first:%a %d %b %H:%M} to {last:%a %d %b %Y %H:%M} ({zone.key})"


def digest_period(occurrence: Occurrence, zone: ZoneInfo) -> Period:
    return Period.between(occurrence.period_start, occurrence.period_end,
                          label=_local_label(occurrence.period_start, occurrence.period_end,
                                             zone))


def previous_period(period: Period, zone: ZoneInfo) -> Period:
    before = period.previous()
    return Period.between(before.start, before.end,
                          label=_local_label(before.start, before.end, zone))


def posts_in(posts: list[SocialPost], period: Period) -> list[SocialPost]:
    return [post for post in posts if period.contains(post.createdAt)]


def _named_posts(inputs: DigestInputs) -> list[SocialPost]:
    """The top posts and the weakest one: the only posts whose history the digest reads."""
    period = digest_period(inputs.occurrence, ZoneInfo(inputs.profile.zone))
    current = posts_in(inputs.posts, period)
    ranked = top_and_bottom(current, TOP_POSTS)
    wanted = [brief.postId for brief in ranked.top] + [b.postId for b in ranked.bottom[:1]]
    by_id = {post.postId: post for post in current}
    return [by_id[post_id] for post_id in wanted if post_id in by_id]
