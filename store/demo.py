"""Realistic, deterministic demo data, with a planted truth that analysis can be checked against.

`generate_demo` is pure: the same `seed` and `until` give the same records, byte for byte.
Every id derives from indices only (`demo_user_007`, a post id hashed from user, platform and
post number), so loading again, on another day or with another seed, overwrites rather than
duplicates; `seed_demo` also removes a demo user's items the new data no longer has (snapshot
keys carry their measurement time, so they move with `until`), and never anything it did not
write: a person's Slack link, digest settings, hand-connected accounts and posts stay.

What is planted: each user has a hidden best local hour (and a weaker second best) at which
engagement is ~1.6-2x, on top of account size, platform rates, content effects (video >
image > text, 1-3 hashtags best, length) and lognormal noise. `DemoData.best_hours` exposes it.
"""

from __future__ import annotations

import hashlib
import random
import time as clock
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from cloudstro.store.claims import ClaimsRepository
from cloudstro.store.platforms import PLATFORM_NAMES
from cloudstro.store.records import (
    AIAnalysis,
    EngagementSnapshot,
    EngagementVelocity,
    Media,
    SocialPost,
    UserProfile,
    iso_z,
)

if TYPE_CHECKING:
    from cloudstro.store import Store

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

FIRST_NAMES = ("Ava", "Liam", "Mia", "Noah", "Sofia", "Kenji", "Amara", "Lucas", "Priya", "Mateo",
               "Chloe", "Wei", "Freya", "Omar", "Hana", "Diego", "Zoe", "Yuki", "Elena", "Kwame",
               "Isla", "Arjun", "Nora", "Felix", "Leila", "Jonas", "Camila", "Ravi", "Ines", "Theo")
LAST_NAMES = ("Chen", "Garcia", "Smith", "Tanaka", "Okafor", "Muller", "Rossi", "Patel", "Kim",
              "Novak", "Silva", "Brown", "Nguyen", "Larsen", "Haddad", "Moreau", "Kowalski",
              "Ito", "Mensah", "Lopez", "Schmidt", "Walsh", "Sato", "Costa", "Ali")
CONTENT_STYLES = ("professional", "casual", "playful", "educational", "inspirational")

# niche -> (hashtags, subjects, brand handles for @mentions)
NICHES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "fitness": (("fitness", "workout", "gymlife", "healthyliving", "legday", "running"),
                ("my 5am workout", "a 20-minute HIIT session", "leg day",
                 "my first half marathon", "meal prep Sunday"),
                ("@strideathletics", "@peakfuel", "@coachmara")),
    "travel": (("travel", "wanderlust", "travelgram", "roadtrip", "solotravel", "traveltips"),
               ("Lisbon's hidden viewpoints", "a night train across the Alps",
                "packing light for ten days", "street food in Bangkok", "a rainy day in Kyoto"),
               ("@nomadpacks", "@railwanderer", "@lonelyplanet")),
    "food": (("foodie", "recipe", "homecooking", "baking", "vegan", "brunch"),
             ("sourdough attempt number twelve", "a 15-minute weeknight pasta",
              "the best ramen in town", "my grandmother's dumpling recipe",
              "a vegan brownie that actually works"),
             ("@castironclub", "@farmboxfresh", "@chefnadia")),
    "tech": (("tech", "AI", "coding", "startup", "productivity", "devlife"),
             ("the new release of our app", "my desk setup", "a debugging story from this week",
              "why I switched to a standing desk", "three AI tools I use daily"),
             ("@cloudstro", "@devtoolsdaily", "@openbuilders")),
    "fashion": (("fashion", "ootd", "style", "thrifting", "streetstyle", "sustainablefashion"),
                ("today's thrifted outfit", "a capsule wardrobe for autumn",
                 "styling one blazer five ways", "my favourite sneakers",
                 "a vintage market haul"),
                ("@loopthreads", "@vintagevault", "@slowstudio")),
    "photography": (("photography", "photooftheday", "streetphotography", "goldenhour",
                     "filmphotography", "landscape"),
                    ("golden hour at the harbour", "a roll of expired film", "shooting in the rain",
                     "my editing workflow", "a misty morning in the hills"),
                    ("@lensandlight", "@filmlab", "@framecollective")),
    "finance": (("personalfinance", "investing", "budgeting", "money", "financialfreedom",
                 "savings"),
                ("my monthly budget review", "index funds explained simply",
                 "how I paid off my card", "a no-spend week", "three money habits that stuck"),
                ("@moneywise", "@penny_notes", "@fundfolk")),
    "gaming": (("gaming", "indiegames", "speedrun", "gamer", "retrogaming", "twitch"),
               ("tonight's stream highlights", "a speedrun personal best",
                "an underrated indie gem", "my retro console collection",
                "the boss fight that took 40 tries"),
               ("@pixelforge", "@retrorack", "@indiespotlight")),
    "parenting": (("parenting", "momlife", "dadlife", "familytime", "toddlerlife",
                   "kidsactivities"),
                  ("a rainy-day craft with the kids", "bedtime routines that work",
                   "our first family camping trip", "packing school lunches",
                   "toddler tantrums, honestly"),
                  ("@tinyexplorers", "@lunchboxlab", "@parentpod")),
    "music": (("music", "newmusic", "musician", "songwriting", "guitar", "livemusic"),
              ("a new demo I recorded", "last night's gig", "my songwriting routine",
               "learning a new chord progression", "a cover I've wanted to do for ages"),
              ("@stagelight", "@chordbook", "@indiesoundz")),
}
PLATFORM_TAGS = {
    "twitter": (), "facebook": (), "instagram": ("instagood", "reels", "photooftheday"),
    "tiktok": ("fyp", "foryou", "viral"), "rednote": ("日常分享", "生活记录", "好物推荐"),
}
POSITIVE = ("Honestly didn't expect it to go this well.", "Would do it again tomorrow.",
            "Best decision I made this month.", "Small wins count.",
            "So happy with how this turned out.")
NEUTRAL = ("Still thinking about it.", "Not perfect, but progress.",
           "This one took longer than planned.", "Lessons learned along the way.",
           "Here's how it went.")
NEGATIVE = ("Not thrilled with how this turned out.", "Frustrating week, not going to lie.",
            "This did not go to plan.")
OPENERS = ("Finally tried", "Sharing", "Quick recap of", "A few notes on", "Back with",
           "Behind the scenes of")
CALLS = ("What would you do?", "Thoughts?", "Save this for later.", "Drop your tips below.",
         "Tag someone who needs this.", "")
EMOJI = ("✨", "🔥", "🙌", "📸", "💡", "🎉", "☕", "🌿")
STORY = ("It started as a small experiment and turned into a whole weekend project.",
         "A friend asked about this last week, so here is the long version.",
         "I wrote down everything along the way so you don't have to repeat my mistakes.")

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


@dataclass
class SeedReport:
    counts: dict[str, int]           # items written, per table role
    pruned: dict[str, int]           # stale demo items deleted, per table role
    tables: dict[str, str]           # table role -> table name
    generate_seconds: float
    elapsed_seconds: float

    def summary(self) -> str:
        written = ", ".join(f"{count} {role}" for role, count in self.counts.items())
        stale = sum(self.pruned.values())
        return (f"wrote {written} in {self.elapsed_seconds:.1f}s "
                f"(generation {self.generate_seconds:.2f}s)"
                + (f"; removed {stale} stale demo items" if stale else ""))


def default_until(now: datetime | None = None) -> datetime:
    """The start of the current UTC hour: no post lies in the future, and reruns within the
    hour agree exactly (later reruns overwrite the same ids and prune stale snapshots)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    return now.replace(minute=0, second=0, microsecond=0)


# ------------------------------------------------------------------------------- generation


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
    account_id = _digits(f"account:{index}:{platform}", 10 if platform != "tiktok" else 19)
    handle = profile.username if platform != "rednote" else f"{profile.username}_rn"
    error = rng.random() < 0.06
    connected = until - timedelta(days=days + rng.randint(1, 200), seconds=rng.randrange(86400))
    platform_data: dict[str, Any] = {
        "twitter": {"twitterUserId": account_id, "verifiedAccount": followers > 50_000},
        "instagram": {"igUserId": account_id, "businessAccount": rng.random() < 0.6},
        "facebook": {"pageId": account_id, "pageCategory": "Creator"},
        "tiktok": {"openId": account_id, "creatorFund": followers > 10_000},
        "rednote": {"redId": account_id, "verified": followers > 20_000},
    }[platform]
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
    content = _content(rng, platform, subject, sentiment, hashtags, mentions)

    post_id = _post_id(index, platform, number)
    handle = account.fields["accountHandle"].lstrip("@")
    media = None
    if kind != "text":
        media = _media(rng, profile.userId, platform, post_id, kind, subject)

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
        "url": _post_url(platform, handle, post_id),
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
    return row["likes"] + row["shares"] + row["comments"]


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


def _content(rng: random.Random, platform: str, subject: str, sentiment: str,
             hashtags: list[str], mentions: list[str]) -> str:
    thought = rng.choice({"positive": POSITIVE, "neutral": NEUTRAL, "negative": NEGATIVE}
                         [sentiment])
    tags = " ".join(f"#{tag}" for tag in hashtags)
    mention = f" {mentions[0]}" if mentions else ""
    call = rng.choice(CALLS)
    emoji = rng.choice(EMOJI)
    if platform == "twitter":
        body = f"{rng.choice(OPENERS)} {subject}. {thought}{mention}"
        text = " ".join(part for part in (body, call, tags) if part)
        return text if len(text) <= 280 else " ".join(part for part in (body, tags) if part)[:280]
    if platform == "instagram":
        head = f"{emoji} {subject[0].upper()}{subject[1:]}"
        return f"{head}\n\n{thought}{mention} {call}".rstrip() + (f"\n\n{tags}" if tags else "")
    if platform == "facebook":
        story = rng.choice(STORY) if rng.random() < 0.6 else ""
        parts = (f"{rng.choice(OPENERS)} {subject}.", thought, story, mention.strip(), call, tags)
        return " ".join(part for part in parts if part)
    if platform == "tiktok":
        return " ".join(part for part in (f"{subject} {emoji}", mention.strip(), tags) if part)
    # rednote: a title line, a short note, topic tags
    return (f"{subject[0].upper()}{subject[1:]}｜{thought} {emoji}{mention}"
            + (f"\n{tags}" if tags else ""))


def _media(rng: random.Random, user_id: str, platform: str, post_id: str, kind: str,
           subject: str) -> list[Media]:
    count = rng.choice((1, 1, 1, 2, 3)) if kind == "image" else 1
    base = f"https://cdn.example.com/demo/{user_id}/{platform}/{post_id}"
    extension = {"image": "jpg", "video": "mp4", "gif": "gif"}[kind]
    items = []
    for position in range(count):
        items.append(Media(
            type=kind,
            url=f"{base}/{position}.{extension}",
            thumbnailUrl=f"{base}/{position}-thumb.jpg" if kind != "image" else None,
            altText=f"{kind.capitalize()} of {subject}" + (f" ({position + 1}/{count})"
                                                           if count > 1 else ""),
        ))
    return items


def _post_id(index: int, platform: str, number: int) -> str:
    key = f"post:{index}:{platform}:{number}"
    if platform in ("twitter", "tiktok"):
        return "7" + _digits(key, 18)
    if platform == "facebook":
        return f"{_digits(f'page:{index}', 15)}_{_digits(key, 16)}"
    if platform == "instagram":
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
        value = int(hashlib.sha256(key.encode()).hexdigest(), 16)
        return "".join(alphabet[(value >> (6 * i)) & 63] for i in range(11))
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def _digits(key: str, length: int) -> str:
    value = int(hashlib.sha256(key.encode()).hexdigest(), 16)
    return str(10 ** (length - 1) + value % (9 * 10 ** (length - 1)))


def _post_url(platform: str, handle: str, post_id: str) -> str:
    return {
        "twitter": f"https://twitter.com/{handle}/status/{post_id}",
        "instagram": f"https://www.instagram.com/p/{post_id}/",
        "facebook": f"https://www.facebook.com/{handle}/posts/{post_id}",
        "tiktok": f"https://www.tiktok.com/@{handle}/video/{post_id}",
        "rednote": f"https://www.xiaohongshu.com/explore/{post_id}",
    }[platform]


# ------------------------------------------------------------------------------- loading

Progress = Callable[[str, int, int], None]


def seed_demo(store: Store, users: int, days: int, seed: int, until: datetime | None = None,
              progress: Progress | None = None) -> SeedReport:
    """Write the demo data; a rerun adds or refreshes the demo's own items and nothing else.

    Profiles and accounts are refreshed attribute by attribute, so a Slack link, digest
    settings or sync state added since survive. Posts and snapshots are the demo's own and
    are written whole. Each demo user's partition remembers the arguments of the run that last
    seeded it (a small record on the runtime table), so the items that run generated and this
    one does not (snapshots whose keys carry older measurement times, another seed's
    platforms) are deleted, and nothing else is: an account connected by hand or a post added
    since is never touched, nor is any non-demo user. `cloudstro db reset` starts over.
    """
    started = clock.perf_counter()
    data = generate_demo(users, days, seed, until)
    generated = clock.perf_counter()
    report = progress or (lambda phase, done, total: None)

    runs = ClaimsRepository(store.dynamo, store.names.runtime)
    user_ids = [profile.userId for profile in data.users]
    previously = _generated_keys(_previous_runs(runs, user_ids))
    prepared = [store.accounts.prepare(account.fields, account.access_token,
                                       account.refresh_token) for account in data.accounts]
    counts = {
        "users": _one_by_one("users", data.users, store.users.refresh, report),
        "accounts": _one_by_one("accounts", prepared, store.accounts.refresh, report),
        "posts": _with_progress("posts", data.posts, store.posts.put_many, report),
        "engagement": _with_progress("engagement", data.snapshots, store.engagement.put_many,
                                     report),
    }
    now_generated = _generated_keys([data])
    names = store.names
    pruned = {
        role: _delete(store, table_name, sorted(previously[role] - now_generated[role]),
                      SORT_KEYS[role], report)
        for role, table_name in (("accounts", names.accounts), ("posts", names.posts),
                                 ("engagement", names.engagement))
    }
    run = {"seed": seed, "days": days, "until": iso_z(data.until)}
    for user_id in user_ids:
        runs.put_record(_run_key(user_id), DEMO_RUN, run)
    return SeedReport(
        counts=counts, pruned=pruned,
        tables={"users": names.users, "accounts": names.accounts, "posts": names.posts,
                "engagement": names.engagement},
        generate_seconds=round(generated - started, 3),
        elapsed_seconds=round(clock.perf_counter() - started, 3),
    )


DEMO_RUN = "DEMO_RUN"
SORT_KEYS = {"accounts": "platformAccountId", "posts": "postId", "engagement": "engagementId"}
ItemKey = tuple[str, str]


def _run_key(user_id: str) -> str:
    return f"demo#{user_id}"


def _previous_runs(runs: ClaimsRepository, user_ids: list[str]) -> list[DemoData]:
    """What the last run wrote in each of these users' partitions, generated again.

    Generation is pure, so a run's arguments are enough to know every key it wrote. Users
    seeded with the same arguments share one generation; a user never seeded before (or
    seeded before runs were remembered) contributes nothing, so nothing of theirs is deleted.
    """
    by_run: dict[tuple[int, int, str], set[str]] = defaultdict(set)
    for user_id in user_ids:
        record = runs.get_record(_run_key(user_id), DEMO_RUN)
        if record:
            by_run[(int(record["seed"]), int(record["days"]), str(record["until"]))].add(user_id)
    previous = []
    for (seed, days, until), members in by_run.items():
        count = 1 + max(int(user_id.removeprefix(DEMO_USER_PREFIX)) for user_id in members)
        demo = generate_demo(count, days, seed, datetime.fromisoformat(until))
        demo.users = [profile for profile in demo.users if profile.userId in members]
        demo.accounts = [a for a in demo.accounts if a.fields["userId"] in members]
        demo.posts = [post for post in demo.posts if post.userId in members]
        demo.snapshots = [s for s in demo.snapshots if s.userId in members]
        previous.append(demo)
    return previous


def _generated_keys(runs: list[DemoData]) -> dict[str, set[ItemKey]]:
    keys: dict[str, set[ItemKey]] = {role: set() for role in SORT_KEYS}
    for demo in runs:
        keys["accounts"] |= {(a.fields["userId"], f"{a.fields['platform']}#{a.fields['accountId']}")
                             for a in demo.accounts}
        keys["posts"] |= {(post.userId, post.postId) for post in demo.posts}
        keys["engagement"] |= {(s.userId, s.engagementId) for s in demo.snapshots}
    return keys


def _one_by_one(phase: str, records: list[Any], refresh: Callable[[Any], None],
                report: Progress) -> int:
    total = len(records)
    report(phase, 0, total)
    for done, record in enumerate(records, 1):
        refresh(record)
        if done % 50 == 0 or done == total:
            report(phase, done, total)
    return total


def _with_progress(phase: str, items: list[Any], write: Callable[..., int],
                   report: Progress) -> int:
    total = len(items)
    done = 0
    report(phase, 0, total)

    def step(count: int) -> None:
        nonlocal done
        done += count
        report(phase, done, total)

    return write(items, step)


def _delete(store: Store, table_name: str, stale: list[ItemKey], sort_key: str,
            report: Progress) -> int:
    """Delete items the previous demo run wrote and this one does not."""
    if not stale:
        return 0
    table = store.dynamo.table(table_name)
    phase = f"prune {table_name.rsplit('-', 1)[-1]}"
    report(phase, 0, len(stale))
    with store.dynamo.translate_errors(table_name), table.batch_writer() as batch:
        for done, (user_id, sort_value) in enumerate(stale, 1):
            batch.delete_item(Key={"userId": user_id, sort_key: sort_value})
            if done % 100 == 0 or done == len(stale):
                report(phase, done, len(stale))
    return len(stale)


__all__ = ["DemoAccount", "DemoData", "SeedReport", "default_until", "generate_demo",
           "seed_demo"]
