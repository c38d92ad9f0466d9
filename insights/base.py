"""What every insight builder shares: windows, ids, the record shape and the wording helpers.

An insight's id is `<type>_<platform or all>` (see `insights.build`), so a refresh overwrites
the previous one; `make_insight` is the one place an insight record is assembled, with its
validity, its model tag and its evidence count.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from cloudstro.analytics import ANALYTICS_VERSION
from cloudstro.analytics.normalize import unique_posts
from cloudstro.store.platforms import PLATFORM_NAMES, display_name
from cloudstro.store.records import AIInsight, SocialPost

VALID_FOR = timedelta(days=7)
MODEL = f"cloudstro-analytics-{ANALYTICS_VERSION}"
SCHEMA_VERSION = "1.0"
TIMING_WINDOW_DAYS = 365
CONTENT_WINDOW_DAYS = 90
FOCUS_WINDOW_DAYS = 90
TREND_DAYS = 7
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


def scope_phrase(platform: str | None) -> str:
    return display_name(platform) if platform else "all your platforms"


def join_words(parts: list[str]) -> str:
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
