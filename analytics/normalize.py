"""A post's outcome relative to its own account's typical post.

Why relative, and why to the median:

* One user's accounts can differ a hundredfold in size (a 500-follower Twitter next to a
  50k-follower Instagram). Raw interactions would make every question ("which hour?", "which
  hashtag?") a proxy for "which account was that posted from?". Dividing by the account's own
  typical post removes the size and keeps the signal.
* Engagement rate would also remove size, but it needs views, which several platforms do not
  report; interactions (likes + shares + comments) exist for every post.
* The median, not the mean, is the account's typical post: one viral post would otherwise
  drag the reference up and make every ordinary post look like a failure.

Both sides get +1 ("add-one smoothing") so an account whose median post has no interactions
still has a usable reference, and a zero-interaction post gets a finite (log-able) outcome;
for accounts of any real size the +1 changes nothing visible.

Where a question is about *when* rather than *what* (best time to post), a rate does better:
`post_parts` splits a post's outcome into its reach (views against the account's typical
views) and its engagement per view (against the account's typical rate). Reach swings from
post to post for reasons that have nothing to do with the slot (the feed, a share); dividing
it out keeps that noise from drowning the slot's effect on the people who did see the post.
Views are the only per-post denominator the store keeps (the schema has no impressions or
reach per post); an account where too few posts report views keeps interactions over its
median, and the part says which it used.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel

from cloudstro.store.records import SocialPost

AccountKey = tuple[str, str | None]


def account_key(post: SocialPost) -> AccountKey:
    """An account is (platform, authorId): the same person on two platforms is two audiences."""
    return (post.platform, post.authorId)


def interactions(post: SocialPost) -> int:
    """Likes + shares + comments, from the counts themselves (always present, unlike views)."""
    return post.engagement.interactions


def unique_posts(posts: Iterable[SocialPost]) -> list[SocialPost]:
    """One entry per postId (the last wins), so a post fetched twice is not counted twice."""
    return list({post.postId: post for post in posts}.values())


def account_medians(posts: Iterable[SocialPost]) -> dict[AccountKey, float]:
    """Median interactions per account: each account's typical post."""
    grouped: dict[AccountKey, list[int]] = defaultdict(list)
    for post in unique_posts(posts):
        grouped[account_key(post)].append(interactions(post))
    return {key: float(statistics.median(values)) for key, values in grouped.items()}


def post_outcomes(posts: Iterable[SocialPost]) -> dict[str, float]:
    """postId -> (interactions + 1) / (account median + 1); 1.0 is the account's typical post.

    Only the posts given define the medians, so callers choose the reference set (e.g. one
    platform, or one user's whole history) by what they pass in.
    """
    chosen = unique_posts(posts)
    medians = account_medians(chosen)
    return {
        post.postId: (interactions(post) + 1.0) / (medians[account_key(post)] + 1.0)
        for post in chosen
    }


Denominator = Literal["views", "interactions"]
MIN_VIEWS_SHARE = 0.5  # an account's rate needs views on at least half of its posts


class PostParts(BaseModel):
    """One post's outcome on the log scale, relative to its own account's typical post.

    `rate` = log(engagement per view / the account's median rate), None without views;
    `reach` = log(views / the account's median views), None without views;
    `total` = log((interactions + 1) / (account median + 1)), always present;
    `count_variance`: the Poisson part of the noise of a log count (1 / (interactions + 1)),
    so a post with 3 interactions is known to say less than one with 3,000.
    """

    account: AccountKey
    denominator: Denominator
    rate: float | None
    reach: float | None
    total: float
    count_variance: float


def _has_views(post: SocialPost) -> bool:
    views = post.engagement.views
    return views is not None and views > 0 and views >= interactions(post)


def post_parts(posts: Iterable[SocialPost]) -> dict[str, PostParts]:
    """postId -> PostParts; the medians are those of the posts given, per account."""
    chosen = unique_posts(posts)
    grouped: dict[AccountKey, list[SocialPost]] = defaultdict(list)
    for post in chosen:
        grouped[account_key(post)].append(post)
    parts: dict[str, PostParts] = {}
    for key, group in grouped.items():
        median = float(statistics.median(interactions(post) for post in group))
        viewed = [post for post in group if _has_views(post)]
        use_views = len(viewed) >= max(2, MIN_VIEWS_SHARE * len(group))
        if use_views:
            log_rates = {post.postId: math.log((interactions(post) + 0.5)
                                               / (post.engagement.views or 1)) for post in viewed}
            log_views = {post.postId: math.log(post.engagement.views or 1) for post in viewed}
            rate_centre = statistics.median(log_rates.values())
            views_centre = statistics.median(log_views.values())
        for post in group:
            rated = use_views and post.postId in log_rates
            parts[post.postId] = PostParts(
                account=key, denominator="views" if rated else "interactions",
                rate=log_rates[post.postId] - rate_centre if rated else None,
                reach=log_views[post.postId] - views_centre if rated else None,
                total=math.log((interactions(post) + 1.0) / (median + 1.0)),
                count_variance=1.0 / (interactions(post) + 1.0))
    return parts
