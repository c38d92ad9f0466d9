"""The demo data, generated in memory with a planted truth that analysis can be checked against.

`generate_demo` is pure: the same `seed` and `until` give the same records, byte for byte.
Every id derives from indices only (`demo_user_007`, a post id hashed from user, platform and
post number), so loading again, on another day or with another seed, overwrites rather than
duplicates.

What is planted: each user has a hidden best local hour (and a weaker second best) at which
engagement is ~1.6-2x, on top of account size, platform rates, content effects (video >
image > text, 1-3 hashtags best, length) and lognormal noise. `DemoData.best_hours` exposes it.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from cloudstro.store.demo.content import (
    CONTENT_STYLES,
    FIRST_NAMES,
    LAST_NAMES,
    NICHES,
    PLATFORM_TAGS,
    post_id_for,
    post_media,
    post_text,
    post_url,
    stable_digits,
)
from cloudstro.store.platforms import PLATFORM_NAMES
from cloudstro.store.records import (
    AIAnalysis,
    EngagementSnapshot,
    EngagementVelocity,
    SocialPost,
    UserProfile,
)

TIMEZONES: tuple[str, ...] = (
    "America/New_York", "Europe/London", "Asia/Tokyo", "America/Los_Angeles", "Europe/Berlin",
    "Asia/Shanghai", "Australia/Sydney", "UTC", "America/Sao_Paulo", "Asia/Kolkata",
    "America/Chicago", "Europe/Madrid", "Asia/Singapore", "Africa/Lagos",
)
DEMO_PLATFORMS: tuple[str, ...] = PLATFORM_NAMES  # every platform in the registry

# Snapshots: measured this long after posting, holding this share of the final counts.
SNAPSHOT_OFFSETS: tuple[timedelta, ...] = (timedelta(minutes=30), timedelta(hours=1),
                                           timedelta(hours=24))
SNAPSHOT_SHARES: tuple[tuple[float, float], ...] = ((0.30, 0.40), (0.50, 0.60), (1.0, 1.0))

# Per platform: likes per follower, shares and comments per like, views per follower,
# how often views are reported, and the media mix (share with media, then type weights).
PLATFORM_RATES: dict[str, dict[str, Any]] = {
    "twitter": {"likes": 0.010, "shares": 0.18, "comments": 0.06, "views": 0.45,
                "views_known": 1.0, "media": 0.40, "kinds": {"image": 6, "video": 2, "gif": 2},
                "hashtags": (0, 4)},
    "instagram": {"likes": 0.030, "shares": 0.04, "comments": 0.05, "views": 1.1,
                  "views_known": 0.0, "media": 1.0, "kinds": {"image": 6, "video": 4},
                  "hashtags": (1, 12)},
    "facebook": {"likes": 0.008, "shares": 0.12, "comments": 0.10, "views": 0.35,
                 "views_known": 0.55, "media": 0.55, "kinds": {"image": 7, "video": 2, "gif": 1},
                 "hashtags": (0, 3)},
    "tiktok": {"likes": 0.050, "shares": 0.08, "comments": 0.03, "views": 2.5,
               "views_known": 1.0, "media": 1.0, "kinds": {"video": 1}, "hashtags": (2, 7)},
    "rednote": {"likes": 0.035, "shares": 0.25, "comments": 0.08, "views": 0.9,
                "views_known": 1.0, "media": 1.0, "kinds": {"image": 7, "video": 3},
                "hashtags": (1, 6)},
}
CONTENT_EFFECT = {"text": 1.0, "image": 1.25, "gif": 1.2, "video": 1.5}
SENTIMENT_EFFECT = {"positive": 1.05, "neutral": 1.0, "negative": 0.9}
# Typical posting-hour profile (local time); each user gets their own distortion of it.
HOUR_PROFILE = (0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.7, 1.2, 1.4, 1.1, 1.0,
                1.3, 1.2, 0.9, 0.8, 0.9, 1.1, 1.4, 1.6, 1.5, 1.2, 0.8, 0.4)
NOISE_SIGMA = 0.35
SENTIMENTS = ("positive", "neutral", "negative")
SENTIMENT_CUMULATIVE = (60, 90, 100)
KIND_CHOICES = {platform: (tuple(spec["kinds"]), tuple(accumulate(spec["kinds"].values())))
                for platform, spec in PLATFORM_RATES.items()}
HOURS = tuple(range(24))
DEMO_USER_PREFIX = "demo_user_"


@dataclass(frozen=True)
class DemoAccount:
    """An account connection before encryption: the fields plus plaintext demo tokens."""

    fields: dict[str, Any]
    access_token: SecretStr
    refresh_token: SecretStr | None


@dataclass
class DemoData:
    seed: int
    days: int
    until: datetime
    users: list[UserProfile] = field(default_factory=list)
    accounts: list[DemoAccount] = field(default_factory=list)
    posts: list[SocialPost] = field(default_factory=list)
    snapshots: list[EngagementSnapshot] = field(default_factory=list)
    # The planted truth: userId -> local hour (in the user's timezone) of peak engagement.
    best_hours: dict[str, int] = field(default_factory=dict)
    second_best_hours: dict[str, int] = field(default_factory=dict)
    # userId -> engagement multiplier at the best hour (1.6-2.0).
    best_hour_lift: dict[str, float] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {"users": len(self.users), "accounts": len(self.accounts),
                "posts": len(self.posts), "engagement": len(self.snapshots)}


def default_until(now: datetime | None = None) -> datetime:
    """The start of the current UTC hour: no post lies in the future, and reruns within the
    hour agree exactly (later reruns overwrite the same ids and prune stale snapshots)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    return now.replace(minute=0, second=0, microsecond=0)


def generate_demo(users: int, days: int, seed: int, until: datetime | None = None) -> DemoData:
    """Build every demo record in memory; no I/O. Same arguments, same records."""
    if users < 0 or days < 1:
        raise ValueError("users must be >= 0 and days >= 1")
    until = default_until() if until is None else until
    if until.tzinfo is None:
        raise ValueError("until must be timezone-aware")
    until = until.astimezone(UTC).replace(microsecond=0)
    data = DemoData(seed=seed, days=days, until=until)
    zones = random.Random(seed).sample(TIMEZONES, len(TIMEZONES))
    for index in range(users):
        # One stream per user: user i's data does not depend on how many users there are.
        rng = random.Random(f"cloudstro-demo:{seed}:{index}")
        _generate_user(data, rng, index, zones[index % len(zones)])
    return data


def _generate_user(data: DemoData, rng: random.Random, index: int, zone_name: str) -> None:
    until, days = data.until, data.days
    user_id = f"{DEMO_USER_PREFIX}{index:03d}"
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    username = f"{first}{last}".lower() + f"{index:03d}"
    niches = rng.sample(sorted(NICHES), rng.randint(1, 3))
    platforms = sorted(rng.sample(DEMO_PLATFORMS, rng.randint(2, 5)), key=DEMO_PLATFORMS.index)
    zone = ZoneInfo(zone_name)

    # Habits: when this user tends to post (local hours), and the hidden best hours.
    weights = [w * rng.lognormvariate(0, 0.4) for w in HOUR_PROFILE]
    habits = rng.sample(range(7, 23), 2)
    for hour in habits:
        weights[hour] *= 2.5
    best = rng.randrange(7, 23)
    second = rng.choice([h for h in range(6, 24) if min(abs(h - best), 24 - abs(h - best)) >= 3])
    lift = rng.uniform(1.6, 2.0)
    daytime_mean = sum(weights[7:23]) / 16
    for hour in (best, second):
        weights[hour] = max(weights[hour], 0.8 * daytime_mean)
    cumulative = list(accumulate(weights))
    hour_effect = [1.0] * 24
    for offset in (-1, 1):
        hour_effect[(best + offset) % 24] = 1 + (lift - 1) * 0.25
    hour_effect[second] = 1 + (lift - 1) * 0.45
    hour_effect[best] = lift
    data.best_hours[user_id] = best
    data.second_best_hours[user_id] = second
    data.best_hour_lift[user_id] = round(lift, 3)

    created = until - timedelta(days=days + rng.randint(20, 600), seconds=rng.randrange(86400))
    active = rng.random() > 0.06
    rates = {platform: rng.uniform(0.3, 2.0) for platform in platforms}
    per_day = sum(rates.values())
    frequency = ("several_per_day" if per_day >= 3 else "daily" if per_day >= 1
                 else "several_per_week")
    profile = UserProfile.model_validate({
        "userId": user_id,
        "email": f"demo{index:03d}@example.com",
        "username": username,
        "fullName": f"{first} {last}",
        "avatar": f"https://cdn.example.com/demo/avatars/{user_id}.jpg",
        "subscription": rng.choices(("premium", "basic", "free"), (20, 35, 45))[0],
        "socialAccountsConnected": platforms,
        "aiPreferences": {
            "contentStyle": rng.choice(CONTENT_STYLES),
            "postingFrequency": frequency,
            # What the user believes: their habits, not the (hidden) best hour.
            "preferredTimes": [f"{hour:02d}:00" for hour in sorted(habits)],
        },
        "createdAt": created,
        "updatedAt": until - timedelta(hours=rng.randint(1, 24 * 14)),
        "isActive": active,
        "lastLoginAt": until - timedelta(minutes=rng.randint(10, 60 * 24 * (3 if active else 60))),
        "timezone": zone_name,
    })
    data.users.append(profile)

    scale = 10 ** rng.uniform(2.6, 5.2)  # 400 to 160k followers: a 400x spread across users
    # Drawn before any post, so the number of posts (hence their ids) never depends on `until`.
    counts = {platform: round(rates[platform] * days * rng.uniform(0.85, 1.15))
              for platform in platforms}
    for platform in platforms:
        followers = max(60, int(scale * rng.lognormvariate(0, 0.6)))
        account = _account(rng, index, user_id, profile, platform, followers, days, until)
        data.accounts.append(account)
        for number in range(counts[platform]):
            moment = _post_time(rng, zone, cumulative, until, days)
            _generate_post(data, rng, index, profile, account, niches, number, moment,
                           hour_effect[moment.astimezone(zone).hour])


def _account(rng: random.Random, index: int, user_id: str, profile: UserProfile, platform: str,
             followers: int, days: int, until: datetime) -> DemoAccount:
    account_id = stable_digits(f"account:{index}:{platform}", 10 if platform != "tiktok" else 19)
    handle = profile.username if platform != "rednote" else f"{profile.username}_rn"
    error = rng.random() < 0.06
    connected = until - timedelta(days=days + rng.randint(1, 200), seconds=rng.randrange(86400))
    fields_by_platform: dict[str, dict[str, Any]] = {
        "twitter": {"twitterUserId": account_id, "verifiedAccount": followers > 50_000},
        "instagram": {"igUserId": account_id, "businessAccount": rng.random() < 0.6},
        "facebook": {"pageId": account_id, "pageCategory": "Creator"},
        "tiktok": {"openId": account_id, "creatorFund": followers > 10_000},
        "rednote": {"redId": account_id, "verified": followers > 20_000},
    }
    platform_data = fields_by_platform[platform]
    fields = {
        "userId": user_id,
        "platform": platform,
        "accountId": account_id,
        "accountName": profile.fullName,
        "accountHandle": f"@{handle}",
        "profilePicture": f"https://cdn.example.com/demo/avatars/{user_id}-{platform}.jpg",
        "followerCount": followers,
        "followingCount": max(20, int(followers * rng.uniform(0.01, 0.5))) if followers < 5000
        else rng.randint(150, 2500),
        "tokenExpiresAt": until + timedelta(days=rng.randint(5, 60)) if not error
        else until - timedelta(days=rng.randint(1, 10)),
        "isActive": True,
        "connectedAt": connected,
        "lastSyncAt": until - (timedelta(minutes=rng.randint(5, 90)) if not error
                               else timedelta(days=rng.randint(1, 10))),
        "syncStatus": "error" if error else "active",
        "permissions": ["read", "write"] if rng.random() < 0.8 else ["read"],
        "platformSpecificData": platform_data,
        "createdAt": connected,
        "updatedAt": until - timedelta(minutes=rng.randint(5, 60 * 24)),
    }
    access = SecretStr(f"demo-access-{uuid.UUID(int=rng.getrandbits(128), version=4)}")
    refresh = (SecretStr(f"demo-refresh-{uuid.UUID(int=rng.getrandbits(128), version=4)}")
               if platform != "tiktok" or rng.random() < 0.5 else None)
    return DemoAccount(fields, access, refresh)


def _post_time(rng: random.Random, zone: ZoneInfo, cumulative: list[float], until: datetime,
               days: int) -> datetime:
    """A publishing time in the window, at an hour drawn from the user's local habits.

    Every post is at least 30 minutes old at `until`, so each has at least one snapshot.
    """
    hour = rng.choices(HOURS, cum_weights=cumulative)[0]
    local_day = until.astimezone(zone).date() - timedelta(days=rng.randrange(days))
    moment = _local(local_day, hour, rng.randrange(60), rng.randrange(60), zone)
    latest, earliest = until - SNAPSHOT_OFFSETS[0], until - timedelta(days=days)
    if moment > latest:
        moment = _local(local_day - timedelta(days=1), hour, moment.minute, moment.second, zone)
    if moment < earliest:
        moment = _local(local_day + timedelta(days=1), hour, moment.minute, moment.second, zone)
    if earliest <= moment <= latest:
        return moment
    # Only in a window of a day or so: any time in the window will do.
    return earliest + timedelta(seconds=rng.randrange(int((latest - earliest).total_seconds())))


def _local(day: date, hour: int, minute: int, second: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, minute, second), zone).astimezone(UTC)


def _generate_post(data: DemoData, rng: random.Random, index: int, profile: UserProfile,
                   account: DemoAccount, niches: list[str], number: int, created: datetime,
                   hour_effect: float) -> None:
    platform = account.fields["platform"]
    spec = PLATFORM_RATES[platform]
    niche = rng.choice(niches)
    tags, subjects, brands = NICHES[niche]
    sentiment = rng.choices(SENTIMENTS, cum_weights=SENTIMENT_CUMULATIVE)[0]
    kind = "text"
    if rng.random() < spec["media"]:
        kinds, cumulative = KIND_CHOICES[platform]
        kind = rng.choices(kinds, cum_weights=cumulative)[0]
    low, high = spec["hashtags"]
    hashtag_count = min(rng.randint(low, high), len(tags) + len(PLATFORM_TAGS[platform]))
    hashtags = rng.sample(tags + PLATFORM_TAGS[platform], hashtag_count)
    mentions = [rng.choice(brands)] if rng.random() < 0.25 else []
    subject = rng.choice(subjects)
    content = post_text(rng, platform, subject, sentiment, hashtags, mentions)

    post_id = post_id_for(index, platform, number)
    handle = account.fields["accountHandle"].lstrip("@")
    media = None
    if kind != "text":
        media = post_media(rng, profile.userId, platform, post_id, kind, subject)

    followers = account.fields["followerCount"]
    size_damping = (followers / 1000) ** -0.12
    effect = (CONTENT_EFFECT[kind] * _hashtag_effect(hashtag_count)
              * _length_effect(platform, len(content)) * SENTIMENT_EFFECT[sentiment]
              * hour_effect * rng.lognormvariate(0, NOISE_SIGMA))
    likes = followers * spec["likes"] * size_damping * effect
    final = {
        "likes": likes,
        "shares": likes * spec["shares"] * rng.lognormvariate(0, 0.3),
        "comments": likes * spec["comments"] * rng.lognormvariate(0, 0.3),
    }
    views_known = rng.random() < spec["views_known"] or (platform == "instagram"
                                                         and kind == "video")
    final_views = (followers * spec["views"] * (effect ** 0.7) * rng.lognormvariate(0, 0.2)
                   if views_known else None)

    shares = [rng.uniform(*bounds) for bounds in SNAPSHOT_SHARES]
    times = [created + offset for offset in SNAPSHOT_OFFSETS if created + offset <= data.until]
    counts = []
    for share in shares[:len(times)]:
        row = {name: round(value * share) for name, value in final.items()}
        row["views"] = None if final_views is None else max(
            round(final_views * share), sum(row.values()))
        counts.append(row)
    latest = counts[-1]

    post = SocialPost.model_validate({
        "userId": profile.userId,
        "id": post_id,
        "platform": platform,
        "content": content,
        "authorId": account.fields["accountId"],
        "authorName": account.fields["accountName"],
        "authorHandle": account.fields["accountHandle"],
        "url": post_url(platform, handle, post_id),
        "engagement": latest,
        "media": media,
        "hashtags": hashtags,
        "mentions": mentions,
        "sentiment": sentiment,
        "aiAnalysis": AIAnalysis(topics=[niche]),
        "createdAt": created,
        "fetchedAt": times[-1],
        "isOwn": True,
    })
    data.posts.append(post)
    for position, (at, row) in enumerate(zip(times, counts, strict=True)):
        velocity = None
        if position == 2:
            velocity = EngagementVelocity(
                first30min=_interactions(counts[0]), firstHour=_interactions(counts[1]),
                first24hours=_interactions(counts[2]))
        reach = (round(row["views"] / followers * 100, 2)
                 if row["views"] is not None and followers else None)
        data.snapshots.append(EngagementSnapshot.measure(
            post, at, likes=row["likes"], shares=row["shares"], comments=row["comments"],
            views=row["views"], velocity=velocity, reach_rate=reach))


def _interactions(row: dict[str, Any]) -> int:
    return int(row["likes"] + row["shares"] + row["comments"])


def _hashtag_effect(count: int) -> float:
    if count == 0:
        return 0.9
    if count <= 3:
        return 1.15
    if count <= 6:
        return 0.97
    return 0.82


def _length_effect(platform: str, length: int) -> float:
    if platform in ("twitter", "tiktok"):
        return 1.05 if length < 120 else 0.92 if length > 220 else 1.0
    return 1.05 if 80 <= length <= 400 else 0.93
