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
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable

from cloudstro.store.records import SocialPost

AccountKey = tuple[str, str]


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
