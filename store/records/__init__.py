"""The five CloudStro record types, with the seed's attribute names and types.

Each model is the stored shape of one item. Index and derived attributes (`postId`,
`engagementScore`, `TTL`, ...) are filled in by the model's own `_derive` step when they are
absent, and nowhere else, so no caller computes them a second time. They are *not* recomputed
when present: a stored item reads back exactly as it was written (the seed's own examples carry
values such as a 2022 `TTL` that a recomputation would silently change). To change a source
attribute, use `rebuild(...)`, which drops the derived attributes and derives them afresh.

Strict on write, tolerant on read. `model_validate` is the write path: every attribute the
seed requires must be there. `from_stored` is the read path: items written by older importers,
by sync, by a key migration or by other tools lack attributes the seed lists, or carry ones it
does not, and one such item must not stop every answer that reads its partition. On read, an
attribute marked `OptionalOnRead` may be absent (it reads as `None`: unknown, never a made-up
value), an attribute the key already spells out (a post's platform and id, say) is taken from
the key, and attributes this model does not know are ignored. What a record cannot do without
(its keys, a post's `createdAt` and counts) stays required, and a value that is present but
malformed is still an error: the repositories skip and count such an item.

The package keeps one module per record type (`users`, `accounts`, `posts`, `engagement`,
`insights`) over `base` (the read/write rules) and `timestamps` (the seed's time format);
everything is re-exported here, so `from cloudstro.store.records import SocialPost` stays the
import. None of it touches DynamoDB, boto3 or the token cipher: `analytics/` imports these
models as plain data.
"""

from cloudstro.store.records.accounts import (
    REAUTH_REQUIRED,
    AccountStatus,
    AccountSummary,
    SocialAccount,
)
from cloudstro.store.records.base import (
    PLATFORMS,
    READING,
    OptionalOnRead,
    Platform,
    Record,
    Stored,
)
from cloudstro.store.records.engagement import EngagementSnapshot, EngagementVelocity
from cloudstro.store.records.insights import (
    AIInsight,
    InsightMetadata,
    InsightType,
    new_insight_id,
)
from cloudstro.store.records.posts import (
    AIAnalysis,
    Engagement,
    Media,
    SocialPost,
    content_type_of,
)
from cloudstro.store.records.timestamps import WEEKDAYS, UtcDateTime, iso_z
from cloudstro.store.records.users import AIPreferences, DigestPreferences, UserProfile

__all__ = [
    "PLATFORMS",
    "READING",
    "REAUTH_REQUIRED",
    "WEEKDAYS",
    "AIAnalysis",
    "AIInsight",
    "AIPreferences",
    "AccountStatus",
    "AccountSummary",
    "DigestPreferences",
    "Engagement",
    "EngagementSnapshot",
    "EngagementVelocity",
    "InsightMetadata",
    "InsightType",
    "Media",
    "OptionalOnRead",
    "Platform",
    "Record",
    "SocialAccount",
    "SocialPost",
    "Stored",
    "UserProfile",
    "UtcDateTime",
    "content_type_of",
    "iso_z",
    "new_insight_id",
]
