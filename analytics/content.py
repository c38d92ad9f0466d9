"""What kind of content works for this user: hashtags, media, content type, length.

Each group is compared on outcomes normalised within the account (see `normalize`), so a
hashtag used mostly on the big account does not look good merely because of that account's
size. Groups are compared on the log scale (geometric means): one viral post should not make
a hashtag look like a formula. Groups with fewer than `min_posts` posts get no lift at all:
two posts are an anecdote, not a pattern.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable

from pydantic import BaseModel

from cloudstro.analytics.normalize import interactions, post_outcomes, unique_posts
from cloudstro.store.records import SocialPost

MAX_TOP_N = 10
LENGTH_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("under 80 chars", 0, 80), ("80-160 chars", 80, 160), ("160-280 chars", 160, 280),
    ("over 280 chars", 280, None),
)
HASHTAG_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("no hashtags", 0, 1), ("1-2 hashtags", 1, 3), ("3-5 hashtags", 3, 6),
    ("6+ hashtags", 6, None),
)


class ContentEntry(BaseModel):
    label: str
    posts: int
    lift: float | None  # 0.2 = typical post in this group does 20% better than the user's
    mean_interactions: float


class ContentReport(BaseModel):
    posts_analyzed: int
    baseline: str
    min_posts: int
    hashtags_considered: int  # hashtags with at least min_posts posts
    top_hashtags: list[ContentEntry]
    bottom_hashtags: list[ContentEntry]
    media: list[ContentEntry]
    content_types: list[ContentEntry]
    length: list[ContentEntry]
    hashtag_count: list[ContentEntry]


def _tag(raw: str) -> str:
    return "#" + raw.strip().lstrip("#").lower()


def _bucket(value: int, buckets: tuple[tuple[str, int, int | None], ...]) -> str:
    for label, low, high in buckets:
        if value >= low and (high is None or value < high):
            return label
    return buckets[-1][0]


def content_performance(
    posts: list[SocialPost], top_n: int = 5, min_posts: int = 3
) -> ContentReport:
    """Lift of each content group over the user's typical post, with its post count."""
    top_n = max(1, min(top_n, MAX_TOP_N))
    chosen = unique_posts(posts)
    logs = {pid: math.log(v) for pid, v in post_outcomes(chosen).items()}
    overall = statistics.fmean(logs.values()) if logs else 0.0

    def entry(label: str, group: list[SocialPost]) -> ContentEntry:
        lift = None
        if len(group) >= min_posts:
            mean_log = statistics.fmean(logs[p.postId] for p in group)
            lift = round(math.exp(mean_log - overall) - 1, 3)
        return ContentEntry(label=label, posts=len(group), lift=lift,
                            mean_interactions=round(
                                statistics.fmean(interactions(p) for p in group), 1))

    def grouped(key: Callable[[SocialPost], str], order: list[str]) -> list[ContentEntry]:
        groups: dict[str, list[SocialPost]] = defaultdict(list)
        for post in chosen:
            groups[key(post)].append(post)
        return [entry(label, groups[label]) for label in order if groups.get(label)]

    by_tag: dict[str, list[SocialPost]] = defaultdict(list)
    for post in chosen:
        for tag in {_tag(t) for t in post.hashtags if t.strip().lstrip("#")}:
            by_tag[tag].append(post)
    tags = [entry(tag, group) for tag, group in by_tag.items() if len(group) >= min_posts]
    tags.sort(key=lambda e: (e.lift or 0.0, e.posts, e.label), reverse=True)
    top = tags[: min(top_n, (len(tags) + 1) // 2)]  # split, so no hashtag is in both lists
    bottom = list(reversed(tags[len(top):]))[:top_n]

    return ContentReport(
        posts_analyzed=len(chosen),
        baseline=("lift = typical (geometric-mean) interactions / account median in the group, "
                  f"vs the same over all {len(chosen)} posts; no lift below {min_posts} posts"),
        min_posts=min_posts,
        hashtags_considered=len(tags),
        top_hashtags=top,
        bottom_hashtags=bottom,
        media=grouped(lambda p: "with media" if p.hasMedia else "text only",
                      ["with media", "text only"]),
        content_types=grouped(lambda p: p.content_type,
                              ["text_post", "image_post", "video_post"]),
        length=grouped(lambda p: _bucket(len(p.content), LENGTH_BUCKETS),
                       [b[0] for b in LENGTH_BUCKETS]),
        hashtag_count=grouped(lambda p: _bucket(len(p.hashtags), HASHTAG_BUCKETS),
                              [b[0] for b in HASHTAG_BUCKETS]),
    )
