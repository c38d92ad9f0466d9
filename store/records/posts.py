"""A social post as stored: its counts, media and the derived keys the post indexes use."""

from __future__ import annotations

import contextlib
from typing import Any, ClassVar, Literal, Self

from pydantic import Field, model_validator

from cloudstro.store.records.base import OptionalOnRead, Platform, Record, Stored, fill_from_key
from cloudstro.store.records.timestamps import UtcDateTime, as_iso


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
        fill_from_key(data, "postId", "platform", "id")
        data.setdefault("content", "")  # a post without text (a captionless video)

    @classmethod
    def _derive(cls, data: dict[str, Any]) -> None:
        if data.get("platform") and data.get("id"):
            data.setdefault("postId", f"{data['platform']}#{data['id']}")
        if "createdAtISO" not in data and data.get("createdAt") is not None:
            with contextlib.suppress(ValueError):  # the createdAt validator names the problem
                data["createdAtISO"] = as_iso(data["createdAt"])
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
