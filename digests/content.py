"""What a digest says: one user's period, against the period before, from their own data.

`gather` (`digests.gather`) does the reads; `compose` here is pure and turns those inputs into
a `Digest` (`digests.model`). Every figure carries its denominator or says why it is unknown,
and anything that could make a number wrong (an account that stopped syncing, posts without
views) becomes a caveat rather than a silent gap.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from cloudstro.analytics import (
    BestTimeResult,
    PostBrief,
    best_posting_times,
    engagement_velocity,
    post_outcomes,
    summarize_performance,
    top_and_bottom,
)
from cloudstro.digests.gather import (
    HISTORY_DAYS,
    TOP_POSTS,
    DigestInputs,
    digest_key,
    digest_period,
    gather,
    posts_in,
    previous_digest_key,
    previous_occurrence_key,
    previous_period,
)
from cloudstro.digests.model import (
    BestTimes,
    Digest,
    Heatmap,
    InsightLine,
    PlatformLine,
    PostLine,
    SlotLine,
)
from cloudstro.digests.schedule import Occurrence
from cloudstro.store import Store
from cloudstro.store.platforms import shown_name as platform_name
from cloudstro.store.records import WEEKDAYS, AccountSummary, AIInsight, SocialPost, UserProfile

__all__ = ["BestTimes", "Digest", "DigestInputs", "Heatmap", "InsightLine", "PlatformLine",
           "PostLine", "SlotLine", "build_digest", "compose", "digest_key", "gather",
           "platform_name", "previous_digest_key", "previous_occurrence_key"]

MAX_INSIGHTS = 3


def build_digest(store: Store, profile: UserProfile, occurrence: Occurrence, now: datetime,
                 previous_record: dict[str, Any] | None = None) -> Digest:
    return compose(gather(store, profile, occurrence, now, previous_record))


def compose(inputs: DigestInputs) -> Digest:
    profile, occurrence = inputs.profile, inputs.occurrence
    zone = ZoneInfo(profile.zone)
    period = digest_period(occurrence, zone)
    previous = previous_period(period, zone)
    current = posts_in(inputs.posts, period)
    before = posts_in(inputs.posts, previous)
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
            reconnect.append(f"{platform_name(account.platform)} {account.label} "
                             f"needs reconnecting{reason}: its posts and counts are not updated "
                             f"until you reconnect it.")
        elif account.syncStatus in ("error", "paused"):
            since = (f" (last synced {account.lastSyncAt:%d %b %H:%M} UTC)"
                     if account.lastSyncAt else " (never synced)")
            state = "failed to sync" if account.syncStatus == "error" else "sync is paused"
            caveats.append(f"{platform_name(account.platform)} {account.label}: {state}"
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
