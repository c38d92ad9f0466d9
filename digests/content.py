"""What a digest says: one user's period, against the period before, from their own data.

`gather` does the reads (a bounded number per user whatever their volume: one posts read over
the history window, one accounts read, one live-insights read, the previous digest's record,
and engagement history for the four posts the digest names); `compose` is pure and turns those
inputs into a `Digest`. Every figure carries its denominator or says why it is unknown, and
anything that could make a number wrong (an account that stopped syncing, posts without views)
becomes a caveat rather than a silent gap.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError

from cloudstro.analytics import (
    BestTimeResult,
    Period,
    PostBrief,
    best_posting_times,
    engagement_velocity,
    post_outcomes,
    summarize_performance,
    top_and_bottom,
)
from cloudstro.digests.schedule import Occurrence
from cloudstro.store import Store
from cloudstro.store.platforms import shown_name as platform_name
from cloudstro.store.records import (
    WEEKDAYS,
    AccountSummary,
    AIInsight,
    EngagementSnapshot,
    SocialPost,
    UserProfile,
)

log = logging.getLogger("cloudstro.digests")

HISTORY_DAYS = 90  # posting-time evidence (heatmap, best slots when no insight is stored)
TOP_POSTS = 3
MAX_INSIGHTS = 3
MAX_ACCOUNTS = 50
HISTORY_SNAPSHOTS = 50  # per post: enough to cover 24 hours of measurements



def digest_key(user_id: str, occurrence: Occurrence) -> str:
    """The runtime-table key that makes one user's digest for one period happen once."""
    return f"DIGEST#{user_id}#{occurrence.key}"


def previous_occurrence_key(occurrence: Occurrence) -> str:
    step = 1 if occurrence.cadence == "daily" else 7
    return f"{occurrence.cadence}#{(occurrence.local_date - timedelta(days=step)).isoformat()}"


# --------------------------------------------------------------------------- the model


class PlatformLine(BaseModel):
    platform: str
    posts: int
    interactions: int
    interactions_change_pct: float | None
    previous_interactions: int
    engagement_rate: float | None  # interactions per 100 views
    engagement_rate_denominator: str
    followers: int | None
    follower_change: int | None
    follower_note: str


class PostLine(BaseModel):
    postId: str
    platform: str
    posted: str  # local time, readable
    content: str
    interactions: int
    lift: float  # vs the account's typical post in the period
    engagement_rate: float | None
    url: str | None
    interactions_1h: int | None
    interactions_24h: int | None
    velocity_note: str


class SlotLine(BaseModel):
    label: str
    expected_lift: float
    score: float
    posts: int


class BestTimes(BaseModel):
    source: str
    confidence: float
    message: str
    slots: list[SlotLine]


class InsightLine(BaseModel):
    type: str
    platform: str | None
    recommendation: str
    confidence: float


class Heatmap(BaseModel):
    """Mean lift (0.2 = +20% over the typical post) per local weekday x hour; None = no posts."""

    timezone: str
    window: str
    lift: list[list[float | None]]  # [weekday 0=Monday][hour]
    posts: list[list[int]]

    @property
    def total_posts(self) -> int:
        return sum(sum(row) for row in self.posts)


class Digest(BaseModel):
    userId: str
    name: str
    timezone: str
    cadence: str
    occurrence_key: str
    period_label: str
    previous_label: str
    period_start: datetime
    period_end: datetime
    has_data: bool
    headline: str
    platforms: list[PlatformLine]
    top_posts: list[PostLine]
    weakest: PostLine | None
    best_times: BestTimes | None
    insights: list[InsightLine]
    caveats: list[str]
    heatmap: Heatmap | None
    followers_now: dict[str, int]
    summary: str | None = None


# --------------------------------------------------------------------------- reading


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


def _period(occurrence: Occurrence, zone: ZoneInfo) -> Period:
    return Period.between(occurrence.period_start, occurrence.period_end,
                          label=_local_label(occurrence.period_start, occurrence.period_end,
                                             zone))


def _previous(period: Period, zone: ZoneInfo) -> Period:
    before = period.previous()
    return Period.between(before.start, before.end,
                          label=_local_label(before.start, before.end, zone))


def _in_period(posts: list[SocialPost], period: Period) -> list[SocialPost]:
    return [post for post in posts if period.contains(post.createdAt)]


def _named_posts(inputs: DigestInputs) -> list[SocialPost]:
    """The top posts and the weakest one: the only posts whose history the digest reads."""
    period = _period(inputs.occurrence, ZoneInfo(inputs.profile.zone))
    current = _in_period(inputs.posts, period)
    ranked = top_and_bottom(current, TOP_POSTS)
    wanted = [brief.postId for brief in ranked.top] + [b.postId for b in ranked.bottom[:1]]
    by_id = {post.postId: post for post in current}
    return [by_id[post_id] for post_id in wanted if post_id in by_id]


# --------------------------------------------------------------------------- composing


def build_digest(store: Store, profile: UserProfile, occurrence: Occurrence, now: datetime,
                 previous_record: dict[str, Any] | None = None) -> Digest:
    return compose(gather(store, profile, occurrence, now, previous_record))


def compose(inputs: DigestInputs) -> Digest:
    profile, occurrence = inputs.profile, inputs.occurrence
    zone = ZoneInfo(profile.zone)
    period = _period(occurrence, zone)
    previous = _previous(period, zone)
    current = _in_period(inputs.posts, period)
    before = _in_period(inputs.posts, previous)
    followers_now = _followers(inputs.accounts)
    noun = "day" if occurrence.cadence == "daily" else "week"

    caveats = _account_caveats(inputs.accounts)
    if not current and not before:
        return Digest(
            userId=profile.userId, name=profile.display_name, timezone=profile.zone,
            cadence=occurrence.cadence, occurrence_key=occurrence.key,
            period_label=period.label, previous_label=previous.label,
            period_start=period.start, period_end=period.end, has_data=False,
            headline=(f"No posts in this {noun} ({period.label}) or the one before, so there "
                      f"is nothing to compare yet."),
            platforms=[], top_posts=[], weakest=None, best_times=None,
            insights=_insights(inputs.insights), caveats=caveats or (
                ["No connected accounts: connect one to start seeing numbers here."]
                if not inputs.accounts else []),
            heatmap=None, followers_now=followers_now)

    summary = summarize_performance(current, period, before, followers_now)
    previous_followers = _previous_followers(inputs.previous_record)
    platforms = [
        _platform_line(row, followers_now, previous_followers)
        for row in summary.platforms
    ]
    ranked = top_and_bottom(current, TOP_POSTS) if current else None
    top = [_post_line(brief, inputs, zone) for brief in (ranked.top if ranked else [])]
    weakest = (_post_line(ranked.bottom[0], inputs, zone)
               if ranked and ranked.bottom else None)

    no_views = [p for p in current if p.engagement.views is None]
    if no_views:
        where = ", ".join(platform_name(name) for name in sorted({p.platform for p in no_views}))
        caveats.append(f"{len(no_views)} of {len(current)} posts report no views "
                       f"({where}), so engagement rate covers only the posts "
                       f"that do.")
    if not current:
        caveats.append(f"No posts this {noun}; figures below are the previous {noun}'s.")

    return Digest(
        userId=profile.userId, name=profile.display_name, timezone=profile.zone,
        cadence=occurrence.cadence, occurrence_key=occurrence.key,
        period_label=period.label, previous_label=previous.label,
        period_start=period.start, period_end=period.end, has_data=True,
        headline=_headline(summary.overall, noun),
        platforms=platforms, top_posts=top, weakest=weakest,
        best_times=_best_times(inputs, zone), insights=_insights(inputs.insights),
        caveats=caveats, heatmap=_heatmap(inputs.posts, zone, inputs.occurrence.period_end),
        followers_now=followers_now)


def _followers(accounts: list[AccountSummary]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for account in accounts:
        if account.followerCount is not None:  # unknown is left out, not zero
            totals[account.platform] += account.followerCount
    return dict(totals)


def _previous_followers(record: dict[str, Any] | None) -> tuple[dict[str, int], str] | None:
    """Follower counts stored when the previous digest was sent, with when that was."""
    if not record or not record.get("done") or not isinstance(record.get("followers"), dict):
        return None
    when = record.get("periodEnd") or ""
    return {str(k): int(v) for k, v in record["followers"].items()}, str(when)


def _headline(overall: Any, noun: str) -> str:
    change = overall.change
    posts = f"{overall.posts} post{'s' if overall.posts != 1 else ''}"
    text = f"{overall.interactions:,} interactions on {posts} this {noun}"
    if change.interactions_pct is not None:
        direction = "up" if change.interactions_pct >= 0 else "down"
        text += (f", {direction} {abs(change.interactions_pct):.0f}% on the previous {noun} "
                 f"({change.previous_interactions:,} on {change.previous_posts} posts)")
    elif change.previous_posts == 0:
        text += f" (no posts the previous {noun} to compare with)"
    else:
        text += f" (previous {noun}: {change.previous_interactions:,} interactions)"
    return text + "."


def _platform_line(row: Any, followers_now: dict[str, int],
                   previous: tuple[dict[str, int], str] | None) -> PlatformLine:
    count = followers_now.get(row.platform)
    change: int | None = None
    if count is None:
        note = "followers unknown (no connected account)"
    elif previous and row.platform in previous[0]:
        change = count - previous[0][row.platform]
        note = f"{change:+,} followers since the previous digest ({previous[1][:10]})"
    else:
        note = "follower change unknown (no history)"
    return PlatformLine(
        platform=row.platform, posts=row.posts, interactions=row.interactions,
        interactions_change_pct=row.change.interactions_pct,
        previous_interactions=row.change.previous_interactions,
        engagement_rate=row.engagement_rate,
        engagement_rate_denominator=row.engagement_rate_denominator,
        followers=count, follower_change=change, follower_note=note)


def _post_line(brief: PostBrief, inputs: DigestInputs, zone: ZoneInfo) -> PostLine:
    post = next(p for p in inputs.posts if p.postId == brief.postId)
    history = inputs.histories.get(post.postId)
    if history is None:
        one_hour = day = None
        note = "velocity not read"
    else:
        velocity = engagement_velocity(post, history)
        one_hour, day = velocity.interactions_1h, velocity.interactions_24h
        if one_hour is None and day is None:
            note = "not measured early enough to tell its velocity"
        elif day is None:
            note = "24-hour count not measured yet"
        else:
            note = ""
    return PostLine(
        postId=post.postId, platform=post.platform,
        posted=f"{post.createdAt.astimezone(zone):%a %d %b %H:%M}", content=brief.content,
        interactions=brief.interactions, lift=brief.lift,
        engagement_rate=brief.engagement_rate, url=brief.url,
        interactions_1h=one_hour, interactions_24h=day, velocity_note=note)


def _best_times(inputs: DigestInputs, zone: ZoneInfo) -> BestTimes:
    stored = next((i for i in inputs.insights
                   if i.insightType == "optimal_timing" and i.platform is None), None)
    result: BestTimeResult | None = None
    source = ""
    if stored is not None:
        try:
            from cloudstro.insights.build import timing_answer

            _, result = timing_answer(stored, zone.key)
            source = (f"stored insight of {stored.generatedAtISO[:10]} "
                      f"(valid until {stored.validUntilISO[:10]})")
            confidence = stored.confidence
        except (ImportError, KeyError, ValueError, ValidationError):
            result = None  # an older stored shape, or hours of another zone: compute below
    if result is None:
        result = best_posting_times(inputs.posts, zone.key)
        source = f"computed from your last {HISTORY_DAYS} days of posts"
        confidence = result.confidence
    slots = [SlotLine(label=s.label, expected_lift=s.expected_lift, score=s.score,
                      posts=s.posts) for s in result.optimal_slots]
    if not slots:
        slots = [SlotLine(label=h.label, expected_lift=h.expected_lift, score=h.score,
                          posts=h.posts) for h in result.optimal_hours]
    return BestTimes(source=source, confidence=confidence, message=result.message, slots=slots)


def _insights(insights: list[AIInsight]) -> list[InsightLine]:
    """The most confident live insights, timing aside (it has its own section)."""
    chosen = [i for i in insights if i.insightType != "optimal_timing"][:MAX_INSIGHTS]
    return [InsightLine(type=i.insightType, platform=i.platform,
                        recommendation=i.recommendation, confidence=i.confidence)
            for i in chosen]


def _account_caveats(accounts: list[AccountSummary]) -> list[str]:
    """Accounts whose numbers may be stale; one the owner must reconnect comes first."""
    reconnect, caveats = [], []
    for account in accounts:
        if account.needs_reconnecting:
            reason = f" ({account.statusReason})" if account.statusReason else ""
            reconnect.append(f"{platform_name(account.platform)} {account.accountHandle} "
                             f"needs reconnecting{reason}: its posts and counts are not updated "
                             f"until you reconnect it.")
        elif account.syncStatus in ("error", "paused"):
            since = (f" (last synced {account.lastSyncAt:%d %b %H:%M} UTC)"
                     if account.lastSyncAt else " (never synced)")
            state = "failed to sync" if account.syncStatus == "error" else "sync is paused"
            caveats.append(f"{platform_name(account.platform)} {account.accountHandle}: {state}"
                           f"{since}; its recent posts and counts may be missing.")
    return reconnect + caveats


def _heatmap(posts: list[SocialPost], zone: ZoneInfo, end: datetime) -> Heatmap | None:
    if not posts:
        return None
    outcomes = post_outcomes(posts)
    sums = [[0.0] * 24 for _ in WEEKDAYS]
    counts = [[0] * 24 for _ in WEEKDAYS]
    for post in posts:
        local = post.createdAt.astimezone(zone)
        sums[local.weekday()][local.hour] += outcomes[post.postId]
        counts[local.weekday()][local.hour] += 1
    lift = [[round(sums[d][h] / counts[d][h] - 1, 3) if counts[d][h] else None
             for h in range(24)] for d in range(len(WEEKDAYS))]
    start = end - timedelta(days=HISTORY_DAYS)
    window = (f"posts of {start.astimezone(zone):%d %b} to {end.astimezone(zone):%d %b %Y}, "
              f"{len(posts)} posts")
    return Heatmap(timezone=zone.key, window=window, lift=lift, posts=counts)
