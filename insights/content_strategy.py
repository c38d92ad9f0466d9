"""The content-strategy insight: which hashtags, media, formats and lengths beat the typical post.

Every group is a claim tested against the rest of the user's posts, with a confidence that
allows for how many groups were compared; only groups credible enough are recommended.
"""

from __future__ import annotations

import math
import statistics
from datetime import datetime
from typing import Any

from cloudstro.analytics import ContentReport, Period, content_performance, post_outcomes
from cloudstro.analytics.wording import counted
from cloudstro.insights.base import (
    CONTENT_WINDOW_DAYS,
    MAX_LISTED,
    join_words,
    make_insight,
    scope_phrase,
)
from cloudstro.insights.evidence import claim_confidence, percent
from cloudstro.store.records import AIInsight, SocialPost

MIN_CONTENT_LIFT = 0.10  # "beats the norm" means at least +10% over the typical post
CREDIBLE_CLAIM = 0.3  # a content group is recommended only at this confidence or more

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
    scope = scope_phrase(platform)
    period = Period.last(CONTENT_WINDOW_DAYS, now).label

    def listed(items: list[dict[str, Any]]) -> str:
        return join_words([f"{c['label']} ({c['liftText']}, {counted(c['posts'], 'post')})"
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
