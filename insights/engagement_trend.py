"""The engagement-trend insight: this week's typical post against last week's, and the posts
that stood out."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from cloudstro.analytics import Period, post_outcomes, summarize_performance
from cloudstro.analytics.wording import counted
from cloudstro.insights.base import CONTENT_WINDOW_DAYS, MAX_LISTED, TREND_DAYS, make_insight
from cloudstro.insights.evidence import claim_confidence, percent, welch
from cloudstro.store.platforms import display_name
from cloudstro.store.records import AIInsight, SocialPost, iso_z

STRONG_OVER, STRONG_UNDER = 2.0, 0.5  # a post at 2x / 0.5x its account's typical post


def _brief(post: SocialPost, outcome: float) -> dict[str, Any]:
    return {"postId": post.postId, "platform": post.platform,
            "createdAt": iso_z(post.createdAt), "interactions": post.engagement.interactions,
            "lift": round(outcome - 1, 2), "content": " ".join(post.content.split())[:80]}


def trend_insight(user_id: str, posts: list[SocialPost], followers: dict[str, int],
                  now: datetime) -> AIInsight | None:
    """This week against the week before; `posts`: own posts of a window of >= 14 days.

    Each post is judged against its own account's typical post over the whole window, so a
    week that happened to be spent on the big account does not read as a good week.
    """
    period = Period.last(TREND_DAYS, now)
    previous = period.previous()
    current = [p for p in posts if period.contains(p.createdAt)]
    before = [p for p in posts if previous.contains(p.createdAt)]
    if not current and not before:
        return None
    summary = summarize_performance(current, period, before, followers)
    overall = summary.overall
    outcomes = post_outcomes(posts)
    now_logs = [math.log(outcomes[p.postId]) for p in current]
    then_logs = [math.log(outcomes[p.postId]) for p in before]
    compared = welch(now_logs, then_logs)
    typical_change = math.expm1(compared[0]) if compared else None
    per_post_now = overall.interactions / overall.posts if overall.posts else None
    per_post_then = (overall.change.previous_interactions / overall.change.previous_posts
                     if overall.change.previous_posts else None)
    per_post_change = (per_post_now / per_post_then - 1
                       if per_post_now is not None and per_post_then else None)
    over = sorted((p for p in current if outcomes[p.postId] >= STRONG_OVER),
                  key=lambda p: outcomes[p.postId], reverse=True)[:MAX_LISTED]
    under = sorted((p for p in current if outcomes[p.postId] <= STRONG_UNDER),
                   key=lambda p: outcomes[p.postId])[:MAX_LISTED]
    if compared and typical_change is not None:
        confidence = claim_confidence(abs(compared[0]), compared[1],
                                      min(len(now_logs), len(then_logs)))
        direction = "up" if compared[0] > 0 else "down"
        recommendation = (f"Your typical post is {direction} {percent(abs(typical_change), False)} "
                          f"week over week ({counted(len(current), 'post')} in "
                          f"the last {TREND_DAYS} days vs {len(before)} the week before).")
    else:
        confidence = 0.0
        recommendation = (f"You published {counted(len(current), 'post')} in the last "
                          f"{TREND_DAYS} days and {len(before)} the week before: too few to "
                          f"tell whether engagement per post is changing.")
    if over:
        top = over[0]
        recommendation += (f" Your {display_name(top.platform)} post of "
                           f"{top.createdAt.date().isoformat()} did "
                           f"{outcomes[top.postId]:.1f}x its account's typical post.")
    reasoning = (f"{summary.period}: {counted(overall.posts, 'post')}, {overall.interactions:,} "
                 f"interactions ({percent(_fraction(overall.change.interactions_pct))} vs "
                 f"{summary.previous_period}: {counted(overall.change.previous_posts, 'post')}, "
                 f"{overall.change.previous_interactions:,} interactions); interactions per "
                 f"post {percent(per_post_change)}. Each post is compared with its own "
                 f"account's typical post over the last {CONTENT_WINDOW_DAYS} days, so the "
                 f"platform mix does not move the trend.")
    if over or under:
        reasoning += (f" {counted(len(over), 'post')} did at least {STRONG_OVER:.0f}x and "
                      f"{len(under)} at most {STRONG_UNDER:.1f}x their account's typical post "
                      f"this week.")
    data = {
        "period": summary.period, "previousPeriod": summary.previous_period,
        "posts": overall.posts, "previousPosts": overall.change.previous_posts,
        "interactions": overall.interactions,
        "previousInteractions": overall.change.previous_interactions,
        "interactionsChange": percent(_fraction(overall.change.interactions_pct)),
        "perPostChange": percent(per_post_change),
        "typicalPostChange": percent(typical_change),
        "overPerformers": [_brief(p, outcomes[p.postId]) for p in over],
        "underPerformers": [_brief(p, outcomes[p.postId]) for p in under],
        "basedOnPosts": len(current) + len(before),
    }
    return make_insight(user_id, "engagement_trend", None, now, confidence=confidence,
                        recommendation=recommendation, reasoning=reasoning, data=data,
                        data_points=len(posts))


def _fraction(pct: float | None) -> float | None:
    return None if pct is None else pct / 100
