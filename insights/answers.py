"""Answering best-time and content questions: a fresh stored insight first, computing second.

A fresh insight is one GetItem on its deterministic id, whatever the user's volume of posts;
only when it is missing, expired, inactive, from another analytics version or (for best
times) computed in another timezone than the one the caller knows the user is in, are the
posts read, the analysis run and the insight stored for the next question. A change of
timezone made through `insights.engine.change_timezone` recomputes the stored timing insights
at once, so the one-read path never serves hours of the old zone. Either way the answer
has the same shape, plus `source`, which says where the numbers came from and when.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from cloudstro.analytics import Period, content_performance
from cloudstro.insights.build import (
    CONTENT_WINDOW_DAYS,
    MODEL,
    TIMING_WINDOW_DAYS,
    content_answer,
    content_insight,
    insight_id,
    own_posts,
    timing_answer,
    timing_insight,
)
from cloudstro.store import Store
from cloudstro.store.records import AIInsight


def _fresh(insight: AIInsight | None, now: datetime) -> bool:
    return (insight is not None and insight.is_live(now) and insight.metadata is not None
            and insight.metadata.aiModel == MODEL)


def _source(insight: AIInsight, stored: bool) -> dict[str, Any]:
    when = insight.generatedAtISO
    text = (f"stored insight of {when} (valid until {insight.validUntilISO})" if stored
            else f"computed now ({when}) and stored as insight {insight.insightId}")
    return {"source": text, "insightId": insight.insightId, "generatedAt": when,
            "insight_confidence": insight.confidence}


def _stored(store: Store, user_id: str, kind: str, platform: str | None,
            now: datetime) -> AIInsight | None:
    insight = store.insights.get(user_id, insight_id(kind, platform))
    return insight if _fresh(insight, now) else None


def best_time(store: Store, user_id: str, platform: str | None, now: datetime,
              timezone: str | None = None) -> dict[str, Any]:
    """`timezone`: the user's current zone when the caller already has it; otherwise it is
    read from the profile together with the stored insight (one request), because an insight
    computed in another zone (the user moved, or changed the setting) must be recomputed
    rather than served."""
    if timezone is None:
        profile, found = store.profile_and_insight(user_id, insight_id("optimal_timing",
                                                                        platform))
        timezone = profile.zone if profile else "UTC"
        insight = found if _fresh(found, now) else None
    else:
        insight = _stored(store, user_id, "optimal_timing", platform, now)
    stored = insight is not None
    if insight is not None:
        try:
            period, result = timing_answer(insight, timezone)
        except (KeyError, ValueError, ValidationError):
            insight, stored = None, False  # an older shape or another zone: recompute below
    if insight is None:
        start = now - timedelta(days=TIMING_WINDOW_DAYS)
        posts = own_posts(store.posts.list_in_period(user_id, start, now, platform=platform))
        insight = timing_insight(user_id, posts, timezone, platform, now)
        store.insights.put(insight)
        period, result = timing_answer(insight)
    return {"period": period, **result.model_dump(mode="json", exclude_none=True),
            **_source(insight, stored)}


def content(store: Store, user_id: str, platform: str | None, days: int, now: datetime
            ) -> dict[str, Any]:
    """Only the standard window is stored; another `days` is computed and not kept."""
    scope = {"platform": platform or "all"}
    standard = days == CONTENT_WINDOW_DAYS
    insight = _stored(store, user_id, "content_strategy", platform, now) if standard else None
    stored = insight is not None
    if insight is not None:
        try:
            period, report = content_answer(insight)
        except (KeyError, ValidationError):
            insight, stored = None, False
    if insight is None:
        start = now - timedelta(days=days)
        posts = own_posts(store.posts.list_in_period(user_id, start, now, platform=platform))
        if not standard:
            report = content_performance(posts)
            return {"period": Period.between(start, now).label, **scope,
                    **report.model_dump(mode="json", exclude_none=True),
                    "source": "computed now for a non-standard window; not stored"}
        insight = content_insight(user_id, posts, platform, now)
        store.insights.put(insight)
        period, report = content_answer(insight)
    return {"period": period, **scope, **report.model_dump(mode="json", exclude_none=True),
            **_source(insight, stored)}
