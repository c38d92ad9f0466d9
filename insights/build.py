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

One module per insight type (`timing`, `content_strategy`, `platform_focus`,
`engagement_trend`) over `base`; this module runs them all for a user and re-exports what
callers use.
"""

from __future__ import annotations

from datetime import datetime

from cloudstro.insights.base import (
    CONTENT_WINDOW_DAYS,
    ENGINE_TYPES,
    FOCUS_WINDOW_DAYS,
    MODEL,
    TIMING_WINDOW_DAYS,
    insight_id,
    is_engine_id,
    make_insight,
    own_posts,
    within,
)
from cloudstro.insights.content_strategy import content_answer, content_insight
from cloudstro.insights.engagement_trend import trend_insight
from cloudstro.insights.platform_focus import focus_insight
from cloudstro.insights.timing import OtherTimezone, timing_answer, timing_insight
from cloudstro.store.records import AIInsight, SocialPost

__all__ = [
    "CONTENT_WINDOW_DAYS",
    "ENGINE_TYPES",
    "MODEL",
    "TIMING_WINDOW_DAYS",
    "OtherTimezone",
    "build_all",
    "content_answer",
    "content_insight",
    "focus_insight",
    "insight_id",
    "is_engine_id",
    "make_insight",
    "own_posts",
    "timing_answer",
    "timing_insight",
    "trend_insight",
    "within",
]


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
