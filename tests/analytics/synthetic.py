"""Synthetic users whose posting history hides a known best hour (in their own timezone).

Built to be unkind to naive methods in the ways real histories are: each user has two accounts
a hundredfold apart in size that post at different habitual hours, posting is uneven across
the day, the hour effect is smooth (neighbouring hours help a little), and the noise is
multiplicative and lognormal with an occasional viral post.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from cloudstro.store.records import SocialPost
from tests.support.builders import make_post

START = datetime(2026, 6, 1, tzinfo=UTC)


@dataclass
class SyntheticUser:
    timezone: str
    best_hour: int  # local hour
    posts: list[SocialPost]


def _circular(a: int, b: int) -> int:
    d = abs(a - b) % 24
    return min(d, 24 - d)


def _habit_weights(rng: random.Random) -> list[float]:
    """Uneven posting: a few habitual hours, a thinner daytime, almost nothing overnight."""
    weights = [0.15 if 0 <= h < 7 else 1.0 for h in range(24)]
    for h in rng.sample(range(7, 23), 4):
        weights[h] += 3.0
    return weights


def _posting_time(rng: random.Random, zone: ZoneInfo, weights: list[float], days: int
                  ) -> datetime:
    """A local publishing time: an hour drawn by the habit weights, a day within `days` of
    START, a random minute."""
    hour = rng.choices(range(24), weights=weights)[0]
    day = START.astimezone(zone).date() + timedelta(days=rng.randrange(days))
    return datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=zone)


def synthetic_user(
    rng: random.Random,
    n_posts: int,
    timezone: str,
    *,
    peak_lift: float = 1.0,
    width: float = 1.5,
    noise: float = 0.6,
    viral_rate: float = 0.03,
) -> SyntheticUser:
    """`peak_lift` 1.0 means the best hour doubles a typical post's interactions."""
    zone = ZoneInfo(timezone)
    best = rng.randrange(8, 22)
    accounts = [("twitter", "small", 40.0, _habit_weights(rng)),
                ("instagram", "big", 4000.0, _habit_weights(rng))]
    posts: list[SocialPost] = []
    for i in range(n_posts):
        platform, author, base, weights = accounts[i % 2]
        local = _posting_time(rng, zone, weights, days=120)
        hour = local.hour
        effect = math.log1p(peak_lift) * math.exp(-(_circular(hour, best) ** 2) / (2 * width**2))
        weekend = -0.1 if local.weekday() >= 5 else 0.0
        value = base * math.exp(effect + weekend + rng.gauss(0, noise))
        if rng.random() < viral_rate:
            value *= 10
        total = max(0, round(value))
        likes = round(total * 0.8)
        shares = round(total * 0.1)
        posts.append(make_post(f"p{i}", local, likes, shares, total - likes - shares,
                               platform=platform, author=author))
    return SyntheticUser(timezone, best, posts)


def naive_utc_top(posts: list[SocialPost], top_n: int = 3) -> list[int]:
    """The baseline: mean raw interactions by UTC hour, highest first."""
    sums: dict[int, list[int]] = {}
    for post in posts:
        sums.setdefault(post.createdAt.hour, []).append(post.engagementScore)
    means = {h: sum(v) / len(v) for h, v in sums.items()}
    return sorted(means, key=means.__getitem__, reverse=True)[:top_n]


def naive_local_top(posts: list[SocialPost], timezone: str, top_n: int = 3) -> list[int]:
    """A kinder baseline: mean raw interactions by *local* hour (no normalising, no shrinkage)."""
    zone = ZoneInfo(timezone)
    sums: dict[int, list[int]] = {}
    for post in posts:
        sums.setdefault(post.createdAt.astimezone(zone).hour, []).append(post.engagementScore)
    means = {h: sum(v) / len(v) for h, v in sums.items()}
    return sorted(means, key=means.__getitem__, reverse=True)[:top_n]


def viewed_user(rng: random.Random, n_posts: int, timezone: str, *, lift: float = 1.6,
                noise: float = 0.5, reach_noise: float = 0.3) -> SyntheticUser:
    """A harder history with views: the best local hour lifts engagement *per view* by `lift`,
    reach swings +-`reach_noise` independently of the hour, the best hour is the least used of
    a handful of habitual hours, and two accounts a hundredfold apart report views."""
    zone = ZoneInfo(timezone)
    best = rng.randrange(8, 22)
    used = [best, *rng.sample([h for h in range(7, 23) if h != best], 5)]
    weights = [0.02] * 24
    for hour in used[1:]:
        weights[hour] += rng.uniform(0.5, 1.5)
    weights[best] += 0.25
    accounts = (("twitter", "small", 2_000.0, 0.04), ("tiktok", "big", 200_000.0, 0.02))
    posts: list[SocialPost] = []
    for i in range(n_posts):
        platform, author, views_base, rate_base = accounts[i % 2]
        local = _posting_time(rng, zone, weights, days=112)
        hour = local.hour
        views = views_base * rng.uniform(1 - reach_noise, 1 + reach_noise)
        rate = rate_base * (lift if hour == best else 1.0) * rng.lognormvariate(0, noise)
        total = max(0, round(views * rate))
        likes = round(total * 0.85)
        posts.append(make_post(f"p{i}", local, likes, total - likes, 0, views=round(views),
                               platform=platform, author=author))
    return SyntheticUser(timezone, best, posts)


def hand_rate_top(posts: list[SocialPost], timezone: str, top_n: int = 3) -> list[int]:
    """The hand calculation: mean by local hour of engagement per view / account median."""
    zone = ZoneInfo(timezone)
    rates: dict[str | None, list[float]] = {}  # keyed like the posts: authorId may be None
    for post in posts:
        rates.setdefault(post.authorId, []).append(
            post.engagement.interactions / (post.engagement.views or 1))
    medians = {author: sorted(values)[len(values) // 2] or 1.0
               for author, values in rates.items()}
    by_hour: dict[int, list[float]] = {}
    for post in posts:
        rate = post.engagement.interactions / (post.engagement.views or 1)
        by_hour.setdefault(post.createdAt.astimezone(zone).hour, []).append(
            rate / medians[post.authorId])
    means = {h: sum(v) / len(v) for h, v in by_hour.items()}
    return sorted(means, key=means.__getitem__, reverse=True)[:top_n]
