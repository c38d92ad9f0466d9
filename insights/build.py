"""From one user's posts to insight records: pure, no I/O, same input gives the same records.

Each builder runs the analytics a tool would run, then writes the claim as a plain sentence
with its numbers (`recommendation`), the evidence behind it (`reasoning`), the structured
result (`data`, which also holds the full analysis as JSON text, so a tool can answer from the
stored insight exactly as from a fresh computation: as a nested map, DynamoDB's codec would
drop its nulls and turn 1.0 into 1, and the answer would no longer validate) and a
confidence built from the evidence (see `insights.evidence`).

Ids are deterministic per (type, platform): `optimal_timing_all`, `content_strategy_tiktok`.
A refresh then *overwrites* the previous insight with one PutItem (no read-modify-delete, no
moment with two copies or none), and a tool finds the current one with one GetItem. The ids
keep the seed's `<type>_` prefix, which the repository's by-type queries rely on.
"""

from __future__ import annotations

import math
import statistics
import zlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from cloudstro.analytics import (
    ANALYTICS_VERSION,
    BestTimeResult,
    ContentReport,
    Period,
    best_posting_times,
    content_performance,
    post_outcomes,
    summarize_performance,
)
from cloudstro.analytics.normalize import unique_posts
from cloudstro.analytics.wording import counted
from cloudstro.insights.evidence import claim_confidence, percent, welch
from cloudstro.store.platforms import PLATFORM_NAMES, display_name
from cloudstro.store.records import AIInsight, SocialPost, iso_z

VALID_FOR = timedelta(days=7)
MODEL = f"cloudstro-analytics-{ANALYTICS_VERSION}"
SCHEMA_VERSION = "1.0"
TIMING_WINDOW_DAYS = 365
CONTENT_WINDOW_DAYS = 90
FOCUS_WINDOW_DAYS = 90
TREND_DAYS = 7
MIN_TIMING_POSTS = 10  # below this, best_posting_times recommends nothing
MIN_CONTENT_LIFT = 0.10  # "beats the norm" means at least +10% over the typical post
CREDIBLE_CLAIM = 0.3  # a content group is recommended only at this confidence or more
MIN_FOCUS_POSTS = 5  # a platform needs this many posts to be compared at all
STRONG_OVER, STRONG_UNDER = 2.0, 0.5  # a post at 2x / 0.5x its account's typical post
MAX_LISTED = 3
ENGINE_TYPES: tuple[str, ...] = ("optimal_timing", "content_strategy", "platform_focus",
                                 "engagement_trend")


def insight_id(insight_type: str, platform: str | None) -> str:
    return f"{insight_type}_{platform or 'all'}"


def is_engine_id(value: str) -> bool:
    """Ids this engine owns (and may replace or remove); user notes and saved ids are not."""
    return any(value == insight_id(kind, platform)
               for kind in ENGINE_TYPES for platform in (None, *PLATFORM_NAMES))


def own_posts(posts: Iterable[SocialPost]) -> list[SocialPost]:
    """Only the user's own posts say anything about their timing, content and platforms."""
    return unique_posts(post for post in posts if post.isOwn)


def within(posts: list[SocialPost], days: int, now: datetime) -> list[SocialPost]:
    start = now - timedelta(days=days)
    return [post for post in posts if start <= post.createdAt < now]


def _scope(platform: str | None) -> str:
    return display_name(platform) if platform else "all your platforms"


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def make_insight(user_id: str, insight_type: str, platform: str | None, now: datetime, *,
                 confidence: float, recommendation: str, reasoning: str, data: dict[str, Any],
                 data_points: int) -> AIInsight:
    return AIInsight.model_validate({
        "userId": user_id, "insightId": insight_id(insight_type, platform),
        "type": insight_type, "platform": platform,
        "confidence": round(min(max(confidence, 0.0), 1.0), 2),
        "recommendation": recommendation, "reasoning": reasoning, "data": data,
        "generatedAt": now, "validUntil": now + VALID_FOR, "isActive": True, "used": False,
        "metadata": {"aiModel": MODEL, "dataPoints": data_points, "version": SCHEMA_VERSION},
    })


# --------------------------------------------------------------------------- optimal timing


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
    scope = _scope(platform)
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
        hours = _join([slot.label + (" (thin evidence)" if slot.thin else "")
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


# --------------------------------------------------------------------------- content strategy

_DIMENSIONS: tuple[tuple[str, str], ...] = (
    ("top_hashtags", "hashtag"), ("bottom_hashtags", "hashtag"), ("media", "media"),
    ("content_types", "content type"), ("length", "length"),
    ("hashtag_count", "number of hashtags"),
)


_READABLE = {"text_post": "text posts", "image_post": "image posts",
             "video_post": "video posts"}


def _content_claims(report: ContentReport, sigma: float) -> list[dict[str, Any]]:
    """Every group with a lift, with the confidence that it differs from the rest."""
    total = report.posts_analyzed
    groups = [(dimension, entry) for key, dimension in _DIMENSIONS
              for entry in getattr(report, key) if entry.lift is not None]
    looks = max(1, len(groups))
    claims = []
    for dimension, entry in groups:
        rest = total - entry.posts
        if rest <= 0 or entry.lift is None or entry.lift <= -1:
            continue  # a group holding every post has nothing to beat
        effect = math.log1p(entry.lift)
        se = sigma * math.sqrt(1 / entry.posts + 1 / rest)
        sign = 1 if effect >= 0 else -1
        claims.append({
            "dimension": dimension, "label": _READABLE.get(entry.label, entry.label),
            "lift": entry.lift, "liftText": percent(entry.lift), "posts": entry.posts,
            "confidence": claim_confidence(sign * effect, se, entry.posts, looks),
        })
    return claims


def content_insight(user_id: str, posts: list[SocialPost], platform: str | None,
                    now: datetime) -> AIInsight:
    """`posts`: the user's own posts of the content window (all platforms; filtered here)."""
    scoped = [post for post in posts if platform is None or post.platform == platform]
    report = content_performance(scoped)
    logs = [math.log(value) for value in post_outcomes(scoped).values()]
    sigma = statistics.pstdev(logs) if len(logs) > 1 else 1.0
    claims = _content_claims(report, max(sigma, 0.05))
    winners = sorted((c for c in claims if c["lift"] >= MIN_CONTENT_LIFT),
                     key=lambda c: (c["confidence"], c["lift"]), reverse=True)
    losers = sorted((c for c in claims if c["lift"] <= -MIN_CONTENT_LIFT),
                    key=lambda c: (c["confidence"], -c["lift"]), reverse=True)
    scope = _scope(platform)
    period = Period.last(CONTENT_WINDOW_DAYS, now).label

    def listed(items: list[dict[str, Any]]) -> str:
        return _join([f"{c['label']} ({c['liftText']}, {counted(c['posts'], 'post')})"
                      for c in items[:MAX_LISTED]])

    credible = [c for c in winners if c["confidence"] >= CREDIBLE_CLAIM]
    if winners:
        confidence = winners[0]["confidence"]
        head = winners[0]
        if credible:
            recommendation = f"On {scope}, lean on {listed(credible)}: they beat your typical post."
        else:
            recommendation = (f"Nothing in your content on {scope} clearly beats your typical "
                              f"post yet; closest: {listed(winners)}.")
        reasoning = (f"From {report.posts_analyzed} posts in the last {CONTENT_WINDOW_DAYS} "
                     f"days, lift = typical interactions in the group vs your typical post. "
                     f"Strongest: {head['label']} ({head['liftText']} over "
                     f"{counted(head['posts'], 'post')}, confidence {head['confidence']:.2f} "
                     f"after allowing for {len(claims)} groups compared).")
        if losers:
            reasoning += f" Weakest: {listed(losers)}."
    else:
        confidence = 0.0
        recommendation = (f"No clear winner yet in your content on {scope}: nothing beats your "
                          f"typical post by {MIN_CONTENT_LIFT:.0%} or more "
                          f"({counted(report.posts_analyzed, 'post')}, "
                          f"last {CONTENT_WINDOW_DAYS} days).")
        reasoning = (f"Groups need at least {report.min_posts} posts to be compared; "
                     f"{len(claims)} groups were, and none stood out.")
    data = {
        "winners": winners[:5], "losers": losers[:5], "basedOnPosts": report.posts_analyzed,
        "period": period, "windowDays": CONTENT_WINDOW_DAYS,
        "analysis": report.model_dump_json(),
    }
    return make_insight(user_id, "content_strategy", platform, now, confidence=confidence,
                        recommendation=recommendation, reasoning=reasoning, data=data,
                        data_points=report.posts_analyzed)


def content_answer(insight: AIInsight) -> tuple[str, ContentReport]:
    return insight.data["period"], ContentReport.model_validate_json(insight.data["analysis"])


# --------------------------------------------------------------------------- platform focus


def focus_insight(user_id: str, posts: list[SocialPost], followers: dict[str, int],
                  now: datetime) -> AIInsight | None:
    """Where a post earns most; None with fewer than two platforms to compare."""
    by_platform: dict[str, list[SocialPost]] = defaultdict(list)
    for post in posts:
        by_platform[post.platform].append(post)
    rows: list[dict[str, Any]] = []
    for platform, group in by_platform.items():
        if len(group) < MIN_FOCUS_POSTS:
            continue
        total = sum(post.engagement.interactions for post in group)
        per_post = total / len(group)
        known = followers.get(platform)
        rows.append({
            "platform": platform, "posts": len(group), "interactions": total,
            "perPost": round(per_post, 1), "followers": known,
            "perPostPer1kFollowers": round(per_post / known * 1000, 2) if known else None,
            "_logs": [math.log1p(post.engagement.interactions) for post in group],
        })
    if len(rows) < 2:
        return None
    rows.sort(key=lambda row: row["perPost"], reverse=True)
    best, runner = rows[0], rows[1]
    compared = welch(best["_logs"], runner["_logs"])
    evidence = min(best["posts"], runner["posts"])
    confidence = (claim_confidence(compared[0], compared[1], evidence) if compared
                  else 0.0)
    ratio = best["perPost"] / runner["perPost"] if runner["perPost"] else None
    ratio_text = f"{ratio:.1f}x" if ratio else "more than"
    follower_text = (f", {best['perPostPer1kFollowers']:.2f} per 1,000 followers"
                     if best["perPostPer1kFollowers"] is not None else "")
    recommendation = (f"Put your effort into {display_name(best['platform'])}: a post there "
                      f"averages {best['perPost']:,.1f} interactions{follower_text}, "
                      f"{ratio_text} {display_name(runner['platform'])}, your next best.")
    lines = "; ".join(
        f"{display_name(row['platform'])}: {counted(row['posts'], 'post')}, "
        f"{row['perPost']:,.1f} per post"
        + (f", {row['perPostPer1kFollowers']:.2f} per 1,000 followers"
           if row["perPostPer1kFollowers"] is not None else ", followers unknown")
        for row in rows)
    reasoning = (f"Last {FOCUS_WINDOW_DAYS} days, platforms with at least {MIN_FOCUS_POSTS} "
                 f"posts: {lines}. Confidence {confidence:.2f} from comparing "
                 f"{display_name(best['platform'])}'s {best['posts']} posts with "
                 f"{display_name(runner['platform'])}'s "
                 f"{runner['posts']} post by post.")
    per_follower = [row for row in rows if row["perPostPer1kFollowers"] is not None]
    if per_follower:
        leader = max(per_follower, key=lambda row: row["perPostPer1kFollowers"])
        if leader["platform"] != best["platform"]:
            reasoning += (f" Per follower, {display_name(leader['platform'])} leads "
                          f"({leader['perPostPer1kFollowers']:.2f} per 1,000 followers per "
                          f"post): a smaller audience that responds more strongly.")
    data = {
        "platforms": [{k: v for k, v in row.items() if not k.startswith("_")} for row in rows],
        "focus": best["platform"], "nextBest": runner["platform"],
        "ratioToNextBest": round(ratio, 2) if ratio else None,
        "basedOnPosts": sum(row["posts"] for row in rows),
        "period": Period.last(FOCUS_WINDOW_DAYS, now).label, "windowDays": FOCUS_WINDOW_DAYS,
    }
    return make_insight(user_id, "platform_focus", None, now, confidence=confidence,
                        recommendation=recommendation, reasoning=reasoning, data=data,
                        data_points=data["basedOnPosts"])


# --------------------------------------------------------------------------- engagement trend


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


# --------------------------------------------------------------------------- all of a user


def build_all(user_id: str, timezone: str, posts: list[SocialPost], followers: dict[str, int],
              now: datetime) -> list[AIInsight]:
    """Every insight for one user from their own posts of the last TIMING_WINDOW_DAYS.

    Timing and content come overall and per platform the user posted on in the window (a
    platform with too few posts gets a zero-confidence "need N more posts" timing insight);
    platform focus and the trend are about the whole account.
    """
    mine = own_posts(posts)
    timing_posts = within(mine, TIMING_WINDOW_DAYS, now)
    content_posts = within(mine, CONTENT_WINDOW_DAYS, now)
    built: list[AIInsight] = []
    for platform in (None, *sorted({p.platform for p in timing_posts})):
        built.append(timing_insight(user_id, timing_posts, timezone, platform, now))
    if content_posts:
        for platform in (None, *sorted({p.platform for p in content_posts})):
            built.append(content_insight(user_id, content_posts, platform, now))
    focus = focus_insight(user_id, within(mine, FOCUS_WINDOW_DAYS, now), followers, now)
    trend = trend_insight(user_id, content_posts, followers, now)
    built.extend(insight for insight in (focus, trend) if insight is not None)
    return built
