"""A generated legacy single table: every default shape, the ways real ones go wrong, and
plaintext tokens, with the counts a correct migration must report.

Deterministic for a given size, so the tests (and the benchmark) know exactly what should land
where and what should be quarantined for which reason.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cloudstro.store.codec import to_item
from cloudstro.store.dynamo import Dynamo

PLATFORMS = ("twitter", "instagram", "facebook", "tiktok", "rednote")
STAMP = "2025-09-20T10:00:00Z"
FAR_FUTURE = "2099-01-01T00:00:00Z"  # insights stay live whatever day the tests run


@dataclass
class Legacy:
    items: list[dict[str, Any]] = field(default_factory=list)
    written: Counter[str] = field(default_factory=Counter)  # expected records per target
    quarantined: Counter[str] = field(default_factory=Counter)  # expected items per reason
    tokens: dict[str, str] = field(default_factory=dict)  # user/platformAccountId -> plaintext
    source: str = ""  # the table the items were loaded into

    def add(self, item: dict[str, Any], target: str | None = None,
            reason: str | None = None) -> None:
        self.items.append(item)
        if target:
            self.written[target] += 1
        if reason:
            self.quarantined[reason] += 1


def profile(user: str, number: int) -> dict[str, Any]:
    return {"PK": f"USER#{user}", "SK": "PROFILE", "email": f"{user}@example.com",
            "username": user, "fullName": f"User {number}", "subscription": "premium",
            "socialAccountsConnected": ["twitter", "instagram"],
            "aiPreferences": {"contentStyle": "casual", "postingFrequency": "daily",
                              "preferredTimes": ["09:00", "19:00"]},
            "createdAt": STAMP, "updatedAt": STAMP, "isActive": number % 4 != 3,
            "GSI1PK": f"EMAIL#{user}@example.com", "GSI1SK": "PROFILE", "entityType": "user"}


def account(user: str, platform: str, account_id: str, *, active: bool,
            access: str, refresh: str | None) -> dict[str, Any]:
    item = {"PK": f"USER#{user}", "SK": f"SOCIAL#{platform}#{account_id}",
            "accountName": f"{user} on {platform}", "accountHandle": f"@{user}",
            "followerCount": 1500, "followingCount": 300, "accessToken": access,
            "tokenExpiresAt": "2025-12-20T10:00:00Z", "isActive": active,
            "connectedAt": STAMP, "lastSyncAt": STAMP, "syncStatus": "active",
            "permissions": ["read", "write"], "createdAt": STAMP, "updatedAt": STAMP,
            "platformSpecificData": {"verifiedAccount": True}}
    if refresh is not None:
        item["refreshToken"] = refresh
    return item


def post(user: str, platform: str, post_id: str, hour: int) -> dict[str, Any]:
    return {"PK": f"USER#{user}", "SK": f"POST#{platform}#{post_id}", "content":
            f"Post {post_id} #AI #SocialMedia", "authorId": "a1", "authorName": "Author",
            "authorHandle": "@author", "url": f"https://example.com/{post_id}",
            "engagement": {"likes": 150, "shares": 25, "comments": 12, "views": 5000},
            "media": [{"type": "image", "url": "https://example.com/i.png"}],
            "hashtags": {"AI", "SocialMedia"},  # a string set, as DynamoDB tools often store
            "mentions": ["@cloudstro"], "sentiment": "positive",
            "createdAt": f"2025-09-{10 + hour % 10:02d}T{hour:02d}:00:00Z",
            "fetchedAt": "2025-09-21T00:00:00Z", "isOwn": True}


def snapshot(user: str, platform: str, post_id: str, at: str) -> dict[str, Any]:
    return {"PK": f"USER#{user}", "SK": f"ENGAGEMENT#{platform}#{post_id}#{at}",
            "postId": post_id, "likes": 150, "shares": 25, "comments": 12, "views": 5000,
            "clickThroughRate": 2.5, "reachRate": 15.3, "contentType": "image_post",
            "hashtagCount": 2, "characterCount": 65,
            "engagementVelocity": {"first30min": 45, "firstHour": 78, "first24hours": 187}}


def insight(user: str, number: int, confidence: Any) -> dict[str, Any]:
    insight_id = f"optimal_timing_1632140400_{user}{number}"
    return {"PK": f"USER#{user}", "SK": f"INSIGHT#{insight_id}", "type": "optimal_timing",
            "platform": "twitter", "confidence": confidence,
            "recommendation": "Post at 9 AM and 7 PM", "reasoning": "150 posts analysed",
            "data": {"optimalTimes": ["09:00", "19:00"], "basedOnPosts": 150},
            "generatedAt": STAMP, "validUntil": FAR_FUTURE, "isActive": True, "used": False,
            "metadata": {"aiModel": "claude-3-sonnet", "dataPoints": 500, "version": "1.0"}}


def generate(users: int = 6, posts_per_user: int = 4, *, malformed: bool = True) -> Legacy:
    """`users` users with a profile, two accounts (plaintext tokens), posts, two snapshots
    per post and two insights each; with `malformed`, one item of every way to go wrong."""
    legacy = Legacy()
    for number in range(users):
        user = f"user_{number:04d}"
        legacy.add(profile(user, number), "users")
        for offset, platform in enumerate(PLATFORMS[:2]):
            account_id = f"{number}{offset}"
            access, refresh = f"plain-access-{user}-{platform}", f"plain-refresh-{user}"
            legacy.tokens[f"{user}/{platform}#{account_id}"] = access
            legacy.add(account(user, platform, account_id, active=(number + offset) % 3 != 0,
                               access=access, refresh=refresh if offset == 0 else None),
                       "accounts")
        for index in range(posts_per_user):
            platform = PLATFORMS[(number + index) % len(PLATFORMS)]
            post_id = f"{number}{index:03d}"
            legacy.add(post(user, platform, post_id, hour=(number * 7 + index) % 24), "posts")
            for at in ("2025-09-20T10:00:00Z", "2025-09-21T10:00:00Z"):
                legacy.add(snapshot(user, platform, post_id, at), "engagement")
        legacy.add(insight(user, 1, 0.92), "insights")
        legacy.add(insight(user, 2, "0.85"), "insights")  # a number stored as text
    if malformed:
        add_malformed(legacy)
    return legacy


def add_malformed(legacy: Legacy) -> None:
    user = "user_bad"
    legacy.add({"PK": f"USER#{user}", "SK": "SETTINGS#theme", "theme": "dark"},
               reason="unmapped")
    legacy.add({"PK": "ORG#acme", "SK": "PROFILE", "name": "Acme"}, reason="unmapped")
    bad_counts = post(user, "twitter", "neg", hour=3)
    bad_counts["engagement"] = {"likes": -1, "shares": 0, "comments": 0}
    legacy.add(bad_counts, reason="invalid")
    naive = post(user, "twitter", "naive", hour=4)
    naive["createdAt"] = "2025-09-20T10:00:00"  # no timezone
    legacy.add(naive, reason="invalid")
    empty = snapshot(user, "twitter", "p1", "2025-09-20T10:00:00Z")
    for name in ("likes", "shares", "comments", "views"):
        del empty[name]
    legacy.add(empty, reason="invalid")
    extra = post(user, "instagram", "extra", hour=5)
    extra["legacyFlag"] = True  # an attribute no CloudStro record has
    legacy.add(extra, reason="invalid")
    stranger = account(user, "twitter", "999", active=True, access="plain-access-stranger",
                       refresh=None)
    stranger["userId"] = "someone_else"  # the data claims another owner than the key
    legacy.add(stranger, reason="key_conflict")
    legacy.add(account(user, "tiktok", "888", active=True, access="fernet:not-a-ciphertext",
                       refresh=None), reason="token_unreadable")


def create_source(dynamo: Dynamo, name: str) -> None:
    dynamo.client.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                              {"AttributeName": "SK", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"},
                   {"AttributeName": "SK", "KeyType": "RANGE"}])
    dynamo.client.get_waiter("table_exists").wait(TableName=name)


def load_source(dynamo: Dynamo, name: str, items: list[dict[str, Any]]) -> None:
    table = dynamo.table(name)
    with table.batch_writer() as batch:
        for item in items:
            batch.put_item(Item=to_item(item))
