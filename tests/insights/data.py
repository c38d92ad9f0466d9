"""Posts with known answers for the insights engine."""

from __future__ import annotations

import random
from datetime import timedelta
from zoneinfo import ZoneInfo

from cloudstro.store.records import SocialPost
from tests.support.builders import make_post
from tests.support.constants import NOW

USER = "user-1"
VIDEO = [{"type": "video", "url": "https://cdn.example.com/v.mp4"}]


def timing_posts(count: int = 120, best: int = 18, user: str = USER,
                 platform: str = "twitter", seed: int = 3) -> list[SocialPost]:
    """Posts at 09/13/18/21 New York time; the `best` hour gets three times the likes."""
    zone = ZoneInfo("America/New_York")
    rng = random.Random(seed)
    posts = []
    for i in range(count):
        hour = (9, 13, 18, 21)[i % 4]
        day = (NOW - timedelta(days=2 + i // 2)).astimezone(zone)
        created = day.replace(hour=hour, minute=5)
        likes = round((300 if hour == best else 100) * rng.lognormvariate(0, 0.3))
        posts.append(make_post(f"{platform}-{i}", created, likes, platform=platform,
                               user=user, author=f"{platform}-acct"))
    return posts
