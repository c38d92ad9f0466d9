"""One measurement of a post's counts: the engagement table's record."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any, ClassVar, Literal, Self

from pydantic import Field, ValidationInfo, model_validator

from cloudstro.store.records.base import (
    OptionalOnRead,
    Platform,
    Record,
    Stored,
    fill_from_key,
    is_reading,
)
from cloudstro.store.records.posts import SocialPost
from cloudstro.store.records.timestamps import WEEKDAYS, UtcDateTime, iso_z, parse_utc


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
        if not is_reading(info) and all(getattr(self, name) is None for name in self.COUNTS):
            raise ValueError("a snapshot needs at least one count the platform reported")
        return self

    @classmethod
    def _fill_on_read(cls, data: dict[str, Any]) -> None:
        fill_from_key(data, "engagementId", "postId", "timestamp", from_right=True)
        if isinstance(data.get("postId"), str) and "#" in data["postId"]:
            data.setdefault("platform", data["postId"].split("#", 1)[0])

    @classmethod
    def _derive(cls, data: dict[str, Any]) -> None:
        if data.get("timestamp") is not None:
            try:
                moment = parse_utc(data["timestamp"])
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
