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
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal, Self, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from cloudstro.store.platforms import PLATFORM_NAMES, PlatformName

# The platform registry's names, under the names record code has always used.
Platform = PlatformName
PLATFORMS: tuple[str, ...] = PLATFORM_NAMES

# "reauth_required": the platform refused the account's tokens and its owner must reconnect
# it; sync skips it meanwhile and `statusReason` says why. The seed lists "active"/"inactive".
AccountStatus = Literal["active", "inactive", "reauth_required"]
REAUTH_REQUIRED: AccountStatus = "reauth_required"
WEEKDAYS: tuple[str, ...] = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
InsightType = Literal["optimal_timing", "content_strategy", "platform_focus", "engagement_trend",
                      "user_note"]


def _parse_utc(value: Any) -> datetime:
    """Accept an aware datetime or an ISO-8601 string with an offset; refuse naive times.

    A naive time is ambiguous (whose midnight?), and best-time analysis depends on it being
    right, so it is an error rather than a silent assumption of UTC.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValueError(f"not an ISO-8601 timestamp: {value!r}") from exc
    else:
        raise ValueError(f"expected an ISO-8601 timestamp string, got {type(value).__name__}")
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp {value!r} has no timezone; add 'Z' or an offset")
    return parsed.astimezone(UTC)


def iso_z(moment: datetime) -> str:
    """The seed's timestamp format: UTC, 'Z' suffix, milliseconds only when present."""
    moment = moment.astimezone(UTC)
    if moment.microsecond:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


UtcDateTime = Annotated[
    datetime, BeforeValidator(_parse_utc), PlainSerializer(iso_z, return_type=str)
]


# --------------------------------------------------------------------------- reading

_READ_FLAG = "cloudstro.reading"
READING: dict[str, bool] = {_READ_FLAG: True}  # the validation context of a read


def _is_reading(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get(_READ_FLAG))


def _required_on_write(value: Any, info: ValidationInfo) -> Any:
    if value is None and not _is_reading(info):
        raise PydanticCustomError("missing", "Field required")
    return value


T = TypeVar("T")
# Required when a record is written, may be absent (None) when an item is read back.
OptionalOnRead = Annotated[T | None, AfterValidator(_required_on_write),
                           Field(validate_default=True)]


class Stored(BaseModel):
    """A stored shape, whole record or nested part: strict on write, tolerant on read."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False, frozen=False)

    @model_validator(mode="wrap")
    @classmethod
    def _prepare(cls, data: Any, handler: ValidatorFunctionWrapHandler,
                 info: ValidationInfo) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            if _is_reading(info):
                data = {name: value for name, value in data.items() if name in cls.model_fields}
                cls._fill_on_read(data)
            cls._derive(data)
        return handler(data)

    @classmethod
    def _fill_on_read(cls, data: dict[str, Any]) -> None:
        """On read, fill absent attributes the item still implies (its key spells most out)."""

    @classmethod
    def _derive(cls, data: dict[str, Any]) -> None:
        """Fill absent derived attributes in place; subclasses override."""

    @classmethod
    def from_stored(cls, item: dict[str, Any]) -> Self:
        """Validate an item read from DynamoDB, tolerantly (see the module docstring)."""
        return cls.model_validate(item, context=READING)


class Record(Stored):
    """Common behaviour of the five record types: derived attributes filled once."""

    DERIVED: ClassVar[tuple[str, ...]] = ()

    def to_record(self) -> dict[str, Any]:
        """The item as the seed shows it: JSON types, absent optionals left out."""
        return self.model_dump(mode="json", exclude_none=True)

    def rebuild(self, **changes: Any) -> Self:
        """A copy with `changes` applied and every derived attribute derived again."""
        data = self.to_record()
        for name in self.DERIVED:
            data.pop(name, None)
        data.update({key: value for key, value in changes.items()})
        return type(self).model_validate(data)


def _split_key(data: dict[str, Any], key: str, first: str, second: str,
               from_right: bool = False) -> None:
    """Fill `first`/`second` from a `first#second` key attribute when they are absent."""
    value = data.get(key)
    if not isinstance(value, str) or "#" not in value:
        return
    head, tail = value.rsplit("#", 1) if from_right else value.split("#", 1)
    data.setdefault(first, head)
    data.setdefault(second, tail)


def _as_iso(value: Any) -> str:
    return iso_z(_parse_utc(value))


# --------------------------------------------------------------------------- users


class AIPreferences(Stored):

    contentStyle: str = "professional"
    postingFrequency: str = "daily"
    preferredTimes: list[str] = Field(default_factory=list)

    @field_validator("preferredTimes")
    @classmethod
    def _hh_mm(cls, times: list[str]) -> list[str]:
        for value in times:
            if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
                raise ValueError(f"preferred time {value!r} is not HH:MM (24-hour)")
        return times


class DigestPreferences(Stored):
    """When and where a user's scheduled digest goes; times are in the user's timezone."""

    enabled: bool = False
    cadence: Literal["daily", "weekly"] = "weekly"
    dayOfWeek: Literal[WEEKDAYS] = "Monday"  # type: ignore[valid-type]
    time: str = "09:00"
    slackChannel: str | None = None

    @field_validator("time")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError(f"digest time {value!r} is not HH:MM (24-hour)")
        return value


class UserProfile(Record):
    DERIVED: ClassVar[tuple[str, ...]] = ("recordType", "accountType", "status")

    userId: str = Field(min_length=1)
    recordType: Literal["USER_PROFILE"] = "USER_PROFILE"
    email: OptionalOnRead[str] = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$")
    username: OptionalOnRead[str] = Field(default=None, min_length=1)
    fullName: OptionalOnRead[str] = None
    avatar: str | None = None
    subscription: Literal["premium", "basic", "free"] = "free"
    socialAccountsConnected: list[Platform] = Field(default_factory=list)
    aiPreferences: AIPreferences = Field(default_factory=AIPreferences)
    createdAt: OptionalOnRead[UtcDateTime] = None
    updatedAt: OptionalOnRead[UtcDateTime] = None
    isActive: bool = True
    lastLoginAt: UtcDateTime | None = None
    accountType: str = "USER_ACCOUNT"
    status: Literal["active", "inactive"]
    # Added by CloudStro: best times and digests are expressed in this IANA zone. Absent on
    # older profiles, which read as UTC (see `zone`) without rewriting the stored item.
    timezone: str | None = None
    slackUserId: str | None = None
    slackTeamId: str | None = None
    digest: DigestPreferences | None = None

    @classmethod
    def _derive(cls, data: dict[str, Any]) -> None:
        data.setdefault("recordType", "USER_PROFILE")
        data.setdefault("accountType", "USER_ACCOUNT")
        if "status" not in data:
            data["status"] = "active" if data.get("isActive", True) else "inactive"

    @property
    def zone(self) -> str:
        """The IANA zone best times and digests use: the profile's, else UTC."""
        return self.timezone or "UTC"

    @property
    def display_name(self) -> str:
        """How to address the user: full name, else username, else the user id."""
        return self.fullName or self.username or self.userId

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA timezone {value!r}") from exc
        return value


# --------------------------------------------------------------------------- accounts


class SocialAccount(Record):
    """A connected platform account as stored: `accessToken`/`refreshToken` hold ciphertext.

    Only `store.accounts` writes these, after encrypting; agent-facing reads use
    `AccountSummary`, which has no token attributes at all.
    """

    DERIVED: ClassVar[tuple[str, ...]] = ("platformAccountId", "id", "accountStatus",
                                          "accountType")

    userId: str = Field(min_length=1)
    platformAccountId: str
    id: str
    platform: Platform
    accountId: str = Field(min_length=1)
    accountName: OptionalOnRead[str] = None
    accountHandle: OptionalOnRead[str] = None
    profilePicture: str | None = None
    followerCount: OptionalOnRead[int] = Field(default=None, ge=0)
    followingCount: OptionalOnRead[int] = Field(default=None, ge=0)
    accessToken: str = Field(repr=False)
    refreshToken: str | None = Field(default=None, repr=False)
    tokenExpiresAt: OptionalOnRead[UtcDateTime] = None
    isActive: bool = True
    connectedAt: OptionalOnRead[UtcDateTime] = None
    lastSyncAt: UtcDateTime | None = None
    syncStatus: Literal["active", "error", "paused"] = "active"
    permissions: list[str] = Field(default_factory=list)
    platformSpecificData: dict[str, Any] | None = None
    createdAt: OptionalOnRead[UtcDateTime] = None
    updatedAt: OptionalOnRead[UtcDateTime] = None
    accountStatus: AccountStatus
    # Why the account is not active (our own words, never a platform's response body).
    statusReason: str | None = Field(default=None, max_length=300)
    accountType: str = "social_media"

    @classmethod
    def _fill_on_read(cls, data: dict[str, Any]) -> None:
        _split_key(data, "platformAccountId", "platform", "accountId")

    @classmethod
    def _derive(cls, data: dict[str, Any]) -> None:
        platform, account_id = data.get("platform"), data.get("accountId")
        if platform and account_id:
            data.setdefault("platformAccountId", f"{platform}#{account_id}")
            if data.get("userId"):
                data.setdefault("id", f"{data['userId']}#{platform}#{account_id}")
        if "accountStatus" not in data:
            data["accountStatus"] = "active" if data.get("isActive", True) else "inactive"
        data.setdefault("accountType", "social_media")

    @model_validator(mode="after")
    def _key_matches(self) -> Self:
        expected = f"{self.platform}#{self.accountId}"
        if self.platformAccountId != expected:
            raise ValueError(
                f"platformAccountId must be {expected!r}, got {self.platformAccountId!r}")
        return self


class AccountSummary(Stored):
    """What the agent may know of an account: no tokens, encrypted or not.

    Only ever read, so everything but the key is optional: a count the item lacks is unknown.
    """

    model_config = ConfigDict(extra="ignore")

    userId: str = Field(min_length=1)
    platform: Platform
    platformAccountId: str
    accountName: str | None = None
    accountHandle: str | None = None
    followerCount: int | None = None
    followingCount: int | None = None
    isActive: bool = True
    accountStatus: AccountStatus | None = None
    statusReason: str | None = None
    syncStatus: str | None = None
    lastSyncAt: UtcDateTime | None = None
    connectedAt: UtcDateTime | None = None

    PROJECTION: ClassVar[tuple[str, ...]] = (
        "userId", "platform", "platformAccountId", "accountName", "accountHandle", "followerCount",
        "followingCount", "isActive", "accountStatus", "statusReason", "syncStatus", "lastSyncAt",
        "connectedAt",
    )

    @property
    def needs_reconnecting(self) -> bool:
        """The platform refused the tokens: only the owner reconnecting the account helps."""
        return self.accountStatus == REAUTH_REQUIRED

    @classmethod
    def _fill_on_read(cls, data: dict[str, Any]) -> None:
        _split_key(data, "platformAccountId", "platform", "accountId")


# --------------------------------------------------------------------------- posts


class Engagement(Stored):

    likes: int = Field(ge=0)
    shares: int = Field(ge=0)
    comments: int = Field(ge=0)
    views: int | None = Field(default=None, ge=0)

    @property
    def interactions(self) -> int:
        return self.likes + self.shares + self.comments


class Media(Stored):

    type: Literal["image", "video", "gif", "carousel", "audio"]
    url: str
    thumbnailUrl: str | None = None
    altText: str | None = None


class AIAnalysis(Stored):

    topics: list[str] = Field(default_factory=list)
    engagementPrediction: Literal["high", "medium", "low"] | None = None
    recommendedActions: list[str] = Field(default_factory=list)


def content_type_of(media: list[Media] | None) -> str:
    """The engagement table's `contentType`: the first medium decides, else a text post."""
    if not media:
        return "text_post"
    kind = media[0].type
    return {"image": "image_post", "video": "video_post", "gif": "video_post",
            "carousel": "image_post", "audio": "video_post"}[kind]


class SocialPost(Record):
    DERIVED: ClassVar[tuple[str, ...]] = ("postId", "createdAtISO", "hasMedia",
                                          "engagementScore", "engagementRate", "postType")

    userId: str = Field(min_length=1)
    postId: str
    id: str = Field(min_length=1)
    platform: Platform
    content: str
    authorId: OptionalOnRead[str] = None
    authorName: OptionalOnRead[str] = None
    authorHandle: OptionalOnRead[str] = None
    url: str | None = None
    engagement: Engagement
    # Interactions per 100 views; unknown (absent) when the platform reports no views.
    engagementRate: float | None = Field(default=None, ge=0)
    media: list[Media] | None = None
    hashtags: list[str] = Field(default_factory=list)
    mentions: list[str] = Field(default_factory=list)
    sentiment: Literal["positive", "negative", "neutral"] | None = None
    aiAnalysis: AIAnalysis | None = None
    createdAt: UtcDateTime
    fetchedAt: OptionalOnRead[UtcDateTime] = None
    isOwn: bool = True
    createdAtISO: str
    postType: str = "social_media_post"
    hasMedia: bool
    engagementScore: int = Field(ge=0)

    @classmethod
    def _fill_on_read(cls, data: dict[str, Any]) -> None:
        _split_key(data, "postId", "platform", "id")
        data.setdefault("content", "")  # a post without text (a captionless video)

    @classmethod
    def _derive(cls, data: dict[str, Any]) -> None:
        if data.get("platform") and data.get("id"):
            data.setdefault("postId", f"{data['platform']}#{data['id']}")
        if "createdAtISO" not in data and data.get("createdAt") is not None:
            with contextlib.suppress(ValueError):  # the createdAt validator names the problem
                data["createdAtISO"] = _as_iso(data["createdAt"])
        data.setdefault("hasMedia", bool(data.get("media")))
        data.setdefault("postType", "social_media_post")
        engagement = data.get("engagement")
        if isinstance(engagement, Engagement):
            engagement = engagement.model_dump()
        if isinstance(engagement, dict):
            try:
                interactions = sum(int(engagement[k]) for k in ("likes", "shares", "comments"))
            except (KeyError, TypeError, ValueError):
                return  # the engagement validator reports the real problem
            data.setdefault("engagementScore", interactions)
            try:
                views = int(engagement.get("views") or 0)
            except (TypeError, ValueError):
                return  # the engagement.views validator reports it
            if "engagementRate" not in data and views:
                data["engagementRate"] = round(interactions / views * 100, 2)

    @model_validator(mode="after")
    def _key_matches(self) -> Self:
        expected = f"{self.platform}#{self.id}"
        if self.postId != expected:
            raise ValueError(f"postId must be {expected!r}, got {self.postId!r}")
        return self

    @property
    def content_type(self) -> str:
        return content_type_of(self.media)


# --------------------------------------------------------------------------- engagement


class EngagementVelocity(Stored):

    first30min: int | None = Field(default=None, ge=0)
    firstHour: int | None = Field(default=None, ge=0)
    first24hours: int | None = Field(default=None, ge=0)


class EngagementSnapshot(Record):
    """One measurement of a post's counts. `timestamp` is when it was measured, not posted.

    Every count is what the platform reported at that moment, and absent when it reported
    none: unknown, never 0 (an Instagram media whose insights came back empty has likes and
    comments from the listing but no shares). A snapshot written must know at least one count.
    `impressions`, `reach` and `saves` go beyond the seed's attributes, for the platforms that
    report them (see `store.platforms`).
    """

    DERIVED: ClassVar[tuple[str, ...]] = ("engagementId", "timestampISO", "hourOfDay",
                                          "dayOfWeek", "hasHashtags", "engagementType")

    userId: str = Field(min_length=1)
    engagementId: str
    postId: str = Field(min_length=1)
    platform: Platform
    likes: int | None = Field(default=None, ge=0)
    shares: int | None = Field(default=None, ge=0)
    comments: int | None = Field(default=None, ge=0)
    views: int | None = Field(default=None, ge=0)
    impressions: int | None = Field(default=None, ge=0)
    reach: int | None = Field(default=None, ge=0)
    saves: int | None = Field(default=None, ge=0)
    clickThroughRate: float | None = Field(default=None, ge=0)
    reachRate: float | None = Field(default=None, ge=0)
    timestamp: UtcDateTime
    hourOfDay: int = Field(ge=0, le=23)
    dayOfWeek: Literal[WEEKDAYS]  # type: ignore[valid-type]
    contentType: OptionalOnRead[Literal["text_post", "image_post", "video_post"]] = None
    hasHashtags: OptionalOnRead[bool] = None
    hashtagCount: OptionalOnRead[int] = Field(default=None, ge=0)
    characterCount: OptionalOnRead[int] = Field(default=None, ge=0)
    engagementVelocity: EngagementVelocity | None = None
    timestampISO: str
    engagementType: str = "social_media_engagement"

    COUNTS: ClassVar[tuple[str, ...]] = ("likes", "shares", "comments", "views", "impressions",
                                         "reach", "saves")

    @model_validator(mode="after")
    def _measures_something(self, info: ValidationInfo) -> Self:
        if not _is_reading(info) and all(getattr(self, name) is None for name in self.COUNTS):
            raise ValueError("a snapshot needs at least one count the platform reported")
        return self

    @classmethod
    def _fill_on_read(cls, data: dict[str, Any]) -> None:
        _split_key(data, "engagementId", "postId", "timestamp", from_right=True)
        if isinstance(data.get("postId"), str) and "#" in data["postId"]:
            data.setdefault("platform", data["postId"].split("#", 1)[0])

    @classmethod
    def _derive(cls, data: dict[str, Any]) -> None:
        if data.get("timestamp") is not None:
            try:
                moment = _parse_utc(data["timestamp"])
            except ValueError:
                return  # the field validator names the problem
            data.setdefault("timestampISO", iso_z(moment))
            data.setdefault("hourOfDay", moment.hour)
            data.setdefault("dayOfWeek", WEEKDAYS[moment.weekday()])
            if data.get("postId"):
                data.setdefault("engagementId", f"{data['postId']}#{data['timestampISO']}")
        if "hasHashtags" not in data and data.get("hashtagCount") is not None:
            with contextlib.suppress(TypeError, ValueError):  # hashtagCount's validator says why
                data["hasHashtags"] = int(data["hashtagCount"]) > 0
        data.setdefault("engagementType", "social_media_engagement")

    @classmethod
    def measure(
        cls,
        post: SocialPost,
        at: datetime,
        *,
        likes: int | None = None,
        shares: int | None = None,
        comments: int | None = None,
        views: int | None = None,
        impressions: int | None = None,
        reach: int | None = None,
        saves: int | None = None,
        velocity: EngagementVelocity | None = None,
        click_through_rate: float | None = None,
        reach_rate: float | None = None,
    ) -> EngagementSnapshot:
        """A snapshot of `post` measured at `at`; content attributes come from the post.

        A count left as None is one the platform did not report; it stays absent.
        `postId` is the post's table key (`platform#id`), so one post's history is a
        `begins_with` key condition and a platform's snapshots share a prefix.
        """
        return cls.model_validate(
            {
                "userId": post.userId,
                "postId": post.postId,
                "platform": post.platform,
                "likes": likes,
                "shares": shares,
                "comments": comments,
                "views": views,
                "impressions": impressions,
                "reach": reach,
                "saves": saves,
                "clickThroughRate": click_through_rate,
                "reachRate": reach_rate,
                "timestamp": at,
                "contentType": post.content_type,
                "hashtagCount": len(post.hashtags),
                "characterCount": len(post.content),
                "engagementVelocity": velocity,
            }
        )

    @property
    def interactions(self) -> int | None:
        """Likes + shares + comments; None when any of them is unknown (a partial sum lies)."""
        if self.likes is None or self.shares is None or self.comments is None:
            return None
        return self.likes + self.shares + self.comments


# --------------------------------------------------------------------------- insights


class InsightMetadata(Stored):

    aiModel: str
    dataPoints: int = Field(ge=0)
    version: str


class AIInsight(Record):
    DERIVED: ClassVar[tuple[str, ...]] = ("insightType", "confidenceScore", "generatedAtISO",
                                          "validUntilISO", "recordType", "TTL")

    userId: str = Field(min_length=1)
    insightId: str = Field(min_length=1)
    type: InsightType
    platform: Platform | None = None
    confidence: float = Field(ge=0.0, le=1.0)
    recommendation: str = Field(min_length=1)
    reasoning: OptionalOnRead[str] = None
    data: dict[str, Any] = Field(default_factory=dict)
    generatedAt: UtcDateTime
    validUntil: UtcDateTime
    isActive: bool = True
    used: bool | None = None
    metadata: OptionalOnRead[InsightMetadata] = None
    insightType: InsightType
    confidenceScore: float = Field(ge=0.0, le=1.0)
    generatedAtISO: str
    validUntilISO: str
    recordType: Literal["ai_insight"] = "ai_insight"
    TTL: int

    @classmethod
    def _fill_on_read(cls, data: dict[str, Any]) -> None:
        if "insightType" in data:
            data.setdefault("type", data["insightType"])

    @classmethod
    def _derive(cls, data: dict[str, Any]) -> None:
        if "type" in data:
            data.setdefault("insightType", data["type"])
        if "confidence" in data:
            data.setdefault("confidenceScore", data["confidence"])
        for source, target in (("generatedAt", "generatedAtISO"), ("validUntil", "validUntilISO")):
            if target not in data and data.get(source) is not None:
                try:
                    data[target] = _as_iso(data[source])
                except ValueError:
                    return
        if "TTL" not in data and data.get("validUntil") is not None:
            try:
                data["TTL"] = int(_parse_utc(data["validUntil"]).timestamp())
            except ValueError:
                return
        data.setdefault("recordType", "ai_insight")

    @model_validator(mode="after")
    def _index_matches(self) -> Self:
        if self.insightType != self.type:
            raise ValueError(f"insightType {self.insightType!r} differs from type {self.type!r}")
        if self.validUntil <= self.generatedAt:
            raise ValueError("validUntil must be after generatedAt")
        return self

    def is_live(self, now: datetime) -> bool:
        """Active, not past `validUntil`, and not past `TTL` (TTL deletion lags up to 2 days)."""
        return self.isActive and self.validUntil > now and int(now.timestamp()) < self.TTL


def new_insight_id(insight_type: str, generated_at: datetime, discriminator: str) -> str:
    """The seed's id shape, `<type>_<epoch>_<suffix>`; the type prefix makes by-type a key query."""
    return f"{insight_type}_{int(generated_at.timestamp())}_{discriminator}"
