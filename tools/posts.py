"""Tools over cloudstro-social-posts: listing, ranking, summaries, best times, content.

Each result is bounded (top-N, truncated text) whatever the user's volume of posts, and
names its period and denominator, so the model can quote numbers with their evidence.
"""

from __future__ import annotations

from typing import Any, Literal

from langchain.tools import ToolRuntime, tool

from cloudstro.analytics import (
    rank_posts,
    summarize_performance,
    top_and_bottom,
)
from cloudstro.insights import answers as insight_answers
from cloudstro.store.records import Platform
from cloudstro.tools.common import (
    ToolInputError,
    caller,
    clamp_limit,
    guarded,
    now_of,
    resolve_period,
    unreadable,
)
from cloudstro.tools.context import UserContext


@tool
@guarded
def list_my_posts(
    runtime: ToolRuntime[UserContext],
    platform: Platform | None = None,
    days: int | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    has_media: bool | None = None,
    sort_by: Literal["recency", "engagement"] = "recency",
    limit: int = 10,
) -> dict[str, Any]:
    """The user's posts, newest or most engaging first.

    Args:
        platform: only this platform.
        days: only posts from the last N days (default 30), or use start_date/end_date.
        start_date: first day, YYYY-MM-DD (with end_date).
        end_date: last day, YYYY-MM-DD, inclusive.
        has_media: True for posts with images/video only, False for text-only posts.
        sort_by: "recency" or "engagement".
        limit: how many posts to return (1-25).
    """
    context = caller(runtime)
    period = resolve_period(now_of(context), days, start_date, end_date)
    posts = context.store.posts.list_in_period(context.user_id, period.start, period.end,
                                               platform=platform)
    if has_media is not None:
        posts = posts.keeping(post for post in posts if post.hasMedia == has_media)
    ranked = rank_posts(posts, by=sort_by, limit=clamp_limit(limit))
    return {"period": period.label, "platform": platform or "all",
            "matching_posts": len(posts), "sorted_by": sort_by,
            "posts": [brief.model_dump(mode="json") for brief in ranked],
            **unreadable({"post": posts})}


@tool
@guarded
def get_top_posts(
    runtime: ToolRuntime[UserContext],
    days: int | None = 30,
    start_date: str | None = None,
    end_date: str | None = None,
    platform: Platform | None = None,
    count: int = 3,
) -> dict[str, Any]:
    """The best and weakest posts of a period, ranked against each account's typical post.

    Args:
        days: the last N days (default 30), or use start_date/end_date.
        start_date: first day, YYYY-MM-DD.
        end_date: last day, YYYY-MM-DD, inclusive.
        platform: only this platform.
        count: how many top and bottom posts (1-10).
    """
    context = caller(runtime)
    period = resolve_period(now_of(context), days, start_date, end_date)
    posts = context.store.posts.list_in_period(context.user_id, period.start, period.end,
                                               platform=platform)
    ranked = top_and_bottom(posts, min(max(count, 1), 10))
    return {"period": period.label, "platform": platform or "all",
            **ranked.model_dump(mode="json"), **unreadable({"post": posts})}


@tool
@guarded
def get_performance_summary(
    runtime: ToolRuntime[UserContext],
    days: Literal[7, 30, 90] | None = 7,
    start_date: str | None = None,
    end_date: str | None = None,
    platform: Platform | None = None,
) -> dict[str, Any]:
    """Posts, engagements and engagement rate per platform for a period, with the change
    against the period just before it.

    Args:
        days: 7, 30 or 90 (default 7); or give start_date and end_date instead.
        start_date: first day, YYYY-MM-DD.
        end_date: last day, YYYY-MM-DD, inclusive.
        platform: only this platform.
    """
    context = caller(runtime)
    period = resolve_period(now_of(context), days, start_date, end_date, default_days=7)
    previous = period.previous()
    # One partition read covers both periods: the previous one ends where this one starts.
    posts = context.store.posts.list_in_period(context.user_id, previous.start, period.end,
                                               platform=platform)
    current = [post for post in posts if period.contains(post.createdAt)]
    before = [post for post in posts if previous.contains(post.createdAt)]
    accounts = context.store.accounts.list_for_user(context.user_id, limit=50)
    followers: dict[str, int] = {}
    for account in accounts:
        if account.followerCount is not None:  # unknown is left out, not counted as zero
            followers[account.platform] = (followers.get(account.platform, 0)
                                           + account.followerCount)
    summary = summarize_performance(current, period, before, followers)
    return {**summary.model_dump(mode="json", exclude_none=True),
            **unreadable({"post": posts, "account": accounts})}


@tool
@guarded
def get_best_time_to_post(
    runtime: ToolRuntime[UserContext], platform: Platform | None = None
) -> dict[str, Any]:
    """When the user's posts do best, in the user's own timezone, with the evidence.

    Answered from the stored insight while it is fresh (one read), else computed and stored.

    Args:
        platform: one platform, or leave empty for all platforms together.
    """
    context = caller(runtime)
    return insight_answers.best_time(context.store, context.user_id, platform, now_of(context))


@tool
@guarded
def get_content_performance(
    runtime: ToolRuntime[UserContext], platform: Platform | None = None, days: int = 90
) -> dict[str, Any]:
    """Which hashtags, media types, content types and lengths beat the user's typical post.

    Args:
        platform: one platform, or leave empty for all.
        days: how far back to look (default 90).
    """
    context = caller(runtime)
    if not 7 <= days <= 730:
        raise ToolInputError(f"days must be between 7 and 730, got {days}")
    return insight_answers.content(context.store, context.user_id, platform, days,
                                   now_of(context))
