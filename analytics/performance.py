"""How the user's accounts did in a period, per platform and overall, against the period before.

Every rate names its denominator because the denominators are partial in practice: some
platforms report no views, follower counts may be unknown, and a rate over "views on 3 of 40
posts" means something quite different from one over all 40. Unknown stays None, never 0, so
"no views reported" is not read as "nobody saw it".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from pydantic import BaseModel

from cloudstro.analytics.normalize import interactions, unique_posts
from cloudstro.analytics.periods import Period
from cloudstro.store.platforms import PLATFORM_NAMES, display_name
from cloudstro.store.records import SocialPost


class Change(BaseModel):
    """Percent change vs the previous period; None when the previous value is zero or unknown."""

    previous_posts: int
    previous_interactions: int
    previous_engagement_rate: float | None
    posts_pct: float | None
    interactions_pct: float | None
    engagement_rate_pct: float | None
    engagement_rate_points: float | None  # difference in percentage points


class PlatformPerformance(BaseModel):
    platform: str  # a platform name, or "all"
    posts: int
    interactions: int
    likes: int
    shares: int
    comments: int
    views: int | None
    posts_with_views: int
    engagement_rate: float | None  # interactions per 100 views, on posts that report views
    engagement_rate_denominator: str
    engagement_per_post: float | None
    followers: int | None
    engagement_per_1k_followers: float | None
    followers_denominator: str | None
    change: Change


class PerformanceSummary(BaseModel):
    period: str
    previous_period: str
    platforms: list[PlatformPerformance]
    overall: PlatformPerformance
    notes: list[str]


class _Totals:
    def __init__(self, posts: list[SocialPost]) -> None:
        self.posts = len(posts)
        self.likes = sum(p.engagement.likes for p in posts)
        self.shares = sum(p.engagement.shares for p in posts)
        self.comments = sum(p.engagement.comments for p in posts)
        self.interactions = sum(interactions(p) for p in posts)
        with_views = [p for p in posts if p.engagement.views is not None]
        self.posts_with_views = len(with_views)
        self.views: int | None = (sum(p.engagement.views or 0 for p in with_views)
                                  if with_views else None)
        self.viewed_interactions = sum(interactions(p) for p in with_views)

    @property
    def rate(self) -> float | None:
        """Interactions per 100 views, using only posts whose views are known on both sides."""
        if not self.views:
            return None
        return round(self.viewed_interactions / self.views * 100, 2)


def _names(platforms: Iterable[str]) -> str:
    return ", ".join(display_name(platform) for platform in platforms)


def _pct(current: float | None, previous: float | None) -> float | None:
    if current is None or previous is None or previous == 0:
        return None
    return round((current - previous) / previous * 100, 1)


def _followers_by_platform(followers: dict[str, int] | None) -> dict[str, int]:
    """Keys may be platforms ("twitter") or accounts ("twitter#123"); both sum to platforms."""
    totals: dict[str, int] = defaultdict(int)
    for key, count in (followers or {}).items():
        totals[key.split("#", 1)[0]] += int(count)
    return dict(totals)


def _row(
    platform: str,
    current: list[SocialPost],
    previous: list[SocialPost],
    followers: int | None,
    followers_text: str | None,
) -> PlatformPerformance:
    now, before = _Totals(current), _Totals(previous)
    if now.views is None:
        denominator = f"no views reported on any of {now.posts} posts"
    else:
        denominator = (f"views on {now.posts_with_views} of {now.posts} posts "
                       f"that report views")
    rate, prev_rate = now.rate, before.rate
    return PlatformPerformance(
        platform=platform,
        posts=now.posts,
        interactions=now.interactions,
        likes=now.likes,
        shares=now.shares,
        comments=now.comments,
        views=now.views,
        posts_with_views=now.posts_with_views,
        engagement_rate=rate,
        engagement_rate_denominator=denominator,
        engagement_per_post=round(now.interactions / now.posts, 2) if now.posts else None,
        followers=followers,
        engagement_per_1k_followers=(round(now.interactions / followers * 1000, 2)
                                     if followers else None),
        followers_denominator=followers_text if followers else None,
        change=Change(
            previous_posts=before.posts,
            previous_interactions=before.interactions,
            previous_engagement_rate=prev_rate,
            posts_pct=_pct(now.posts, before.posts),
            interactions_pct=_pct(now.interactions, before.interactions),
            engagement_rate_pct=_pct(rate, prev_rate),
            engagement_rate_points=(round(rate - prev_rate, 2)
                                    if rate is not None and prev_rate is not None else None),
        ),
    )


def summarize_performance(
    posts: list[SocialPost],
    period: Period,
    previous_posts: list[SocialPost],
    followers: dict[str, int] | None = None,
) -> PerformanceSummary:
    """Posts, interactions, views and rates per platform and overall, with change vs before.

    Posts outside the stated periods are left out (and counted in `notes`), so the period
    label on the answer is always true of the numbers under it.
    """
    previous_period = period.previous()
    current = [p for p in unique_posts(posts) if period.contains(p.createdAt)]
    before = [p for p in unique_posts(previous_posts) if previous_period.contains(p.createdAt)]
    notes: list[str] = []
    dropped = len(posts) - len(current) + len(previous_posts) - len(before)
    if dropped:
        notes.append(f"{dropped} posts outside the periods (or repeated) were left out")

    by_platform: dict[str, list[SocialPost]] = defaultdict(list)
    before_by_platform: dict[str, list[SocialPost]] = defaultdict(list)
    for post in current:
        by_platform[post.platform].append(post)
    for post in before:
        before_by_platform[post.platform].append(post)
    known = _followers_by_platform(followers)

    rows = []
    for platform in PLATFORM_NAMES:
        if platform in by_platform or platform in before_by_platform:
            count = known.get(platform)
            rows.append(_row(platform, by_platform[platform], before_by_platform[platform],
                             count,
                             f"{count:,} {display_name(platform)} followers" if count else None))

    active = [p for p in PLATFORM_NAMES if p in by_platform]
    counted = [p for p in active if known.get(p)]
    overall_followers = sum(known[p] for p in counted) if counted else None
    overall_posts = [post for p in counted for post in by_platform[p]]
    overall = _row("all", current, before, None, None)
    if overall_followers:
        per_1k = sum(interactions(p) for p in overall_posts) / overall_followers * 1000
        text = (f"interactions on {_names(counted)} per 1,000 of their "
                f"{overall_followers:,} followers")
        if len(counted) < len(active):
            text += f" (followers unknown for {_names(p for p in active if p not in counted)})"
        overall = overall.model_copy(update={
            "followers": overall_followers,
            "engagement_per_1k_followers": round(per_1k, 2),
            "followers_denominator": text,
        })
    if overall.views is None and current:
        notes.append("no post in the period reports views, so engagement rate is unknown")

    return PerformanceSummary(period=period.label, previous_period=previous_period.label,
                              platforms=rows, overall=overall, notes=notes)
