"""Compact views of individual posts, for "what were my best posts?" questions.

A brief holds just enough to name and judge a post (content cut to 120 characters, at most
five hashtags), so a list of them stays small whatever the posts contain.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from cloudstro.analytics.normalize import interactions, post_outcomes, unique_posts
from cloudstro.store.records import SocialPost, iso_z

CONTENT_CHARS = 120
MAX_HASHTAGS = 5
MAX_LIMIT = 50


class PostBrief(BaseModel):
    postId: str
    platform: str
    createdAt: str
    content: str
    likes: int
    shares: int
    comments: int
    views: int | None
    interactions: int
    engagement_rate: float | None  # per 100 views; None when the platform reports no views
    lift: float  # vs its account's median post: 0.5 = +50%
    has_media: bool
    hashtags: list[str]
    url: str | None


class TopBottom(BaseModel):
    posts_analyzed: int
    ranked_by: str
    top: list[PostBrief]
    bottom: list[PostBrief]


def _truncate(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= CONTENT_CHARS else text[: CONTENT_CHARS - 1].rstrip() + "…"


def brief(post: SocialPost, outcome: float) -> PostBrief:
    views = post.engagement.views
    rate = post.engagementRate
    if rate is None and views:
        rate = round(interactions(post) / views * 100, 2)
    return PostBrief(
        postId=post.postId, platform=post.platform, createdAt=iso_z(post.createdAt),
        content=_truncate(post.content), likes=post.engagement.likes,
        shares=post.engagement.shares, comments=post.engagement.comments, views=views,
        interactions=interactions(post), engagement_rate=rate, lift=round(outcome - 1, 3),
        has_media=post.hasMedia, hashtags=post.hashtags[:MAX_HASHTAGS], url=post.url,
    )


def rank_posts(
    posts: list[SocialPost],
    by: Literal["engagement", "recency"] = "engagement",
    limit: int = 10,
    ascending: bool = False,
) -> list[PostBrief]:
    """Posts by raw interactions or by creation time; ties go to the newer post.

    Raw interactions answer "which post got the most"; for "which post did best for its
    account" use `top_and_bottom`, which ranks by lift.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    chosen = unique_posts(posts)
    outcomes = post_outcomes(chosen)
    if by == "engagement":
        chosen.sort(key=lambda p: (interactions(p), p.createdAt), reverse=not ascending)
    elif by == "recency":
        chosen.sort(key=lambda p: p.createdAt, reverse=not ascending)
    else:
        raise ValueError(f"rank by 'engagement' or 'recency', not {by!r}")
    return [brief(p, outcomes[p.postId]) for p in chosen[:limit]]


def top_and_bottom(posts: list[SocialPost], n: int = 3) -> TopBottom:
    """Best and worst posts relative to their own account's median, never overlapping.

    Ranking by lift rather than raw counts stops the big account from filling the top list
    and the small one the bottom list.
    """
    n = max(1, min(n, MAX_LIMIT))
    chosen = unique_posts(posts)
    outcomes = post_outcomes(chosen)
    ranked = sorted(chosen, key=lambda p: (outcomes[p.postId], interactions(p)), reverse=True)
    top = ranked[: min(n, (len(ranked) + 1) // 2)]
    bottom = list(reversed(ranked[len(top):]))[:n]
    return TopBottom(
        posts_analyzed=len(chosen),
        ranked_by="interactions relative to the post's account median (lift)",
        top=[brief(p, outcomes[p.postId]) for p in top],
        bottom=[brief(p, outcomes[p.postId]) for p in bottom],
    )
