"""The optimal-timing insight: best posting hours, with how often halves of the history agree.

The stored insight keeps the full best-time analysis and the zone it was computed in, so a tool
answers from it exactly as from a fresh computation, and a user who has moved gets the hours
recomputed rather than shifted.
"""

from __future__ import annotations

import zlib
from datetime import datetime

from cloudstro.analytics import BestTimeResult, Period, best_posting_times
from cloudstro.analytics.wording import counted
from cloudstro.insights.base import TIMING_WINDOW_DAYS, join_words, make_insight, scope_phrase
from cloudstro.insights.evidence import percent
from cloudstro.store.records import AIInsight, SocialPost

MIN_TIMING_POSTS = 10  # below this, best_posting_times recommends nothing


def _stability(posts: list[SocialPost], timezone: str, platform: str | None,
               best_hour: int) -> tuple[int, int]:
    """In how many of two halves of the history the best hour is again among the top three.

    Posts go to a half by a checksum of their id: unlike alternating in time order, that
    cannot line up with a regular posting schedule (a 09:00 and 18:00 routine would put every
    18:00 post in one half).
    """
    halves: tuple[list[SocialPost], list[SocialPost]] = ([], [])
    for post in posts:
        halves[zlib.crc32(post.postId.encode()) % 2].append(post)
    agree = tried = 0
    for half in halves:
        result = best_posting_times(half, timezone, platform=platform)
        if not result.enough_data:
            continue
        tried += 1
        agree += best_hour in [slot.hour for slot in result.optimal_hours]
    return agree, tried


def timing_insight(user_id: str, posts: list[SocialPost], timezone: str,
                   platform: str | None, now: datetime) -> AIInsight:
    """`posts`: the user's own posts of the timing window (all platforms; filtered here)."""
    scoped = [post for post in posts if platform is None or post.platform == platform]
    result = best_posting_times(scoped, timezone, platform=platform,
                                min_posts=MIN_TIMING_POSTS)
    period = Period.last(TIMING_WINDOW_DAYS, now).label
    scope = scope_phrase(platform)
    agree = tried = 0
    if not result.enough_data:
        confidence = 0.0
        recommendation = (f"Not enough posts yet to recommend posting times on {scope}: "
                          f"{counted(result.posts_analyzed, 'post')} in the last "
                          f"{TIMING_WINDOW_DAYS} days, {result.posts_needed} more needed.")
        reasoning = (f"Best hours are only estimated from at least {MIN_TIMING_POSTS} posts; "
                     f"with {result.posts_analyzed} a top hour cannot be told from luck.")
    elif not result.optimal_hours:
        confidence = 0.0
        recommendation = (f"No posting hour stands out on {scope} yet: none of your hours "
                          f"beats your typical post in {result.posts_analyzed} posts.")
        reasoning = f"{result.method}."
    else:
        best = result.optimal_hours[0]
        agree, tried = _stability(scoped, timezone, platform, best.hour)
        # Two halves that both find the hour: full weight; neither: half of it.
        stability = 0.5 + 0.5 * (agree / tried) if tried else 0.5
        confidence = result.confidence * stability
        hours = join_words([slot.label + (" (thin evidence)" if slot.thin else "")
                       for slot in result.optimal_hours])
        measure = ("engagement per view" if result.outcome.startswith("engagement per view")
                   else "interactions")
        recommendation = (f"Post at {hours} ({timezone}) on {scope}: posts at these hours got "
                          f"{percent(result.expected_engagement_increase)} {measure} over "
                          f"your typical post.")
        hour_text = "; ".join(
            f"{slot.label}: {counted(slot.posts, 'post')}{' (thin)' if slot.thin else ''} "
            f"(+{slot.posts_nearby} an hour either side), {percent(slot.expected_lift)}, "
            f"{slot.p_best:.0%} likely to be your best hour"
            for slot in result.optimal_hours)
        slot_text = ""
        if result.optimal_slots:
            top = result.optimal_slots[0]
            slot_text = (f" Strongest weekday slot: {top.label} ({counted(top.posts, 'post')}, "
                         f"{percent(top.expected_lift)}).")
        reasoning = (f"From {result.posts_analyzed} posts ({result.period}), measured as "
                     f"{result.outcome}, compared with your typical post: {hour_text}."
                     f"{slot_text} Confidence {confidence:.2f}: {result.confidence:.0%} "
                     f"probability that your best hour is among these, and {agree} of {tried} "
                     f"halves of your history agree on {best.label}.")
    analysis = result.model_copy(update={"confidence": round(confidence, 2)})
    increase = result.expected_engagement_increase
    data = {
        "optimalTimes": [slot.label for slot in result.optimal_hours],
        "optimalHours": [{"hour": h.hour, "label": h.label, "posts": h.posts,
                          "expectedLift": h.expected_lift, "pBest": h.p_best, "thin": h.thin,
                          "evidence": h.evidence} for h in result.optimal_hours],
        # The seed's slot shape, and beside it (same order) how much evidence each slot has.
        "optimalSlots": [{"dayOfWeek": s.dayOfWeek, "hour": s.hour, "score": s.score,
                          "posts": s.posts} for s in result.optimal_slots],
        "slotEvidence": [{"label": s.label, "posts": s.posts, "thin": s.thin,
                          "evidence": s.evidence} for s in result.optimal_slots],
        # The zone the hours are in: a user who moves gets them recomputed, not shifted.
        "timezone": timezone,
        "outcome": result.outcome, "postsWithViews": result.posts_with_views,
        "basedOnPosts": result.posts_analyzed,
        "expectedEngagementIncrease": percent(increase, signed=False) if increase else None,
        "postsNeeded": result.posts_needed,
        "halvesAgreeing": agree, "halvesTried": tried,
        "period": period, "windowDays": TIMING_WINDOW_DAYS,
        "analysis": analysis.model_dump_json(),
    }
    return make_insight(user_id, "optimal_timing", platform, now, confidence=confidence,
                        recommendation=recommendation, reasoning=reasoning, data=data,
                        data_points=result.posts_analyzed)


class OtherTimezone(ValueError):
    """The stored hours were computed in another timezone than the user's current one."""


def timing_answer(insight: AIInsight, timezone: str | None = None
                  ) -> tuple[str, BestTimeResult]:
    """(period label, analysis) as stored; raises ValueError when the stored shape is old, and
    OtherTimezone when `timezone` (the user's current one, where the caller knows it) is not
    the one the hours were computed in: 09:00 in Berlin is not 09:00 in New York."""
    if timezone is not None and insight.data.get("timezone") != timezone:
        raise OtherTimezone(f"computed in {insight.data.get('timezone')}, user is in {timezone}")
    return insight.data["period"], BestTimeResult.model_validate_json(insight.data["analysis"])
