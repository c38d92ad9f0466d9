"""Tools over cloudstro-ai-insights: read live recommendations, store new ones."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any, Final, Literal

from langchain.tools import ToolRuntime, tool

from cloudstro.analytics import ANALYTICS_VERSION
from cloudstro.store.records import AIInsight, InsightType, Platform, new_insight_id
from cloudstro.tools.common import (
    ToolInputError,
    caller,
    clamp_limit,
    guarded,
    now_of,
    unreadable,
)
from cloudstro.tools.context import UserContext

NOTE_SOURCE: Final = "user-stated"


@tool
@guarded
def list_my_insights(
    runtime: ToolRuntime[UserContext],
    insight_type: InsightType | None = None,
    min_confidence: float | None = None,
    platform: Platform | None = None,
    limit: int = 10,
) -> dict[str, Any]:
    """The user's active recommendations (never expired ones), most confident first.

    Args:
        insight_type: optimal_timing, content_strategy, platform_focus, engagement_trend or
            user_note (things the user asked to remember).
        min_confidence: only insights at or above this confidence (0-1).
        platform: only insights about this platform.
        limit: how many (1-25).
    """
    context = caller(runtime)
    if min_confidence is not None and not 0 <= min_confidence <= 1:
        raise ToolInputError(f"min_confidence must be between 0 and 1, got {min_confidence}")
    insights = context.store.insights.active(
        context.user_id, insight_type=insight_type, min_confidence=min_confidence,
        platform=platform, now=now_of(context), limit=clamp_limit(limit),
    )
    return {"insights": [
        {"insightId": i.insightId, "type": i.type, "platform": i.platform,
         "confidence": i.confidence, "recommendation": i.recommendation,
         "reasoning": (i.reasoning or "")[:400], "validUntil": i.validUntilISO,
         "basedOn": i.metadata.dataPoints if i.metadata else None}
        for i in insights], "count": len(insights), **unreadable({"insight": insights})}


@tool
@guarded
def save_insight(
    runtime: ToolRuntime[UserContext],
    recommendation: str,
    reasoning: str,
    insight_type: InsightType = "user_note",
    confidence: float = 1.0,
    platform: Platform | None = None,
    data: dict[str, Any] | None = None,
    valid_days: int = 90,
    source: Literal["user-stated", "analysis"] = NOTE_SOURCE,
) -> dict[str, Any]:
    """Store a recommendation or something the user asked you to remember.

    Args:
        recommendation: the sentence to keep, e.g. "Video beats images for me".
        reasoning: why: "the user said so", or the numbers behind it.
        insight_type: user_note for things the user states; otherwise the analysis type.
        confidence: 0-1; 1.0 for the user's own statements.
        platform: the platform it concerns, if any.
        data: small structured details (optional).
        valid_days: how long it stays valid (1-365, default 90).
        source: "user-stated" or "analysis".
    """
    context = caller(runtime)
    if not 1 <= valid_days <= 365:
        raise ToolInputError(f"valid_days must be between 1 and 365, got {valid_days}")
    if len(recommendation) > 500:
        raise ToolInputError("recommendation must be at most 500 characters")
    now = now_of(context)
    digest = hashlib.sha256(f"{context.user_id}|{recommendation}".encode()).hexdigest()[:10]
    insight = AIInsight.model_validate({
        "userId": context.user_id,
        "insightId": new_insight_id(insight_type, now, digest),
        "type": insight_type, "platform": platform, "confidence": confidence,
        "recommendation": recommendation.strip(), "reasoning": reasoning.strip() or source,
        "data": {**(data or {}), "source": source},
        "generatedAt": now, "validUntil": now + timedelta(days=valid_days), "isActive": True,
        "used": False,
        "metadata": {"aiModel": f"cloudstro-analytics-{ANALYTICS_VERSION}", "dataPoints": 0,
                     "version": "1.0"},
    })
    context.store.insights.put(insight)
    return {"saved": True, "insightId": insight.insightId, "type": insight.type,
            "validUntil": insight.validUntilISO}
