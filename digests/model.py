"""What a digest says, as typed data: the lines every rendering reads.

Block Kit (`digests.blocks`), the terminal preview (`cloudstro digest preview`), the chart and
the model-written summary all read a `Digest`; none of them reads the store. Building one is
`digests.content`'s job.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class PlatformLine(BaseModel):
    platform: str
    posts: int
    interactions: int
    interactions_change_pct: float | None
    previous_interactions: int
    engagement_rate: float | None  # interactions per 100 views
    engagement_rate_denominator: str
    followers: int | None
    follower_change: int | None
    follower_note: str


class PostLine(BaseModel):
    postId: str
    platform: str
    posted: str  # local time, readable
    content: str
    interactions: int
    lift: float  # vs the account's typical post in the period
    engagement_rate: float | None
    url: str | None
    interactions_1h: int | None
    interactions_24h: int | None
    velocity_note: str


class SlotLine(BaseModel):
    label: str
    expected_lift: float
    score: float
    posts: int


class BestTimes(BaseModel):
    source: str
    confidence: float
    message: str
    slots: list[SlotLine]


class InsightLine(BaseModel):
    type: str
    platform: str | None
    recommendation: str
    confidence: float


class Heatmap(BaseModel):
    """Mean lift (0.2 = +20% over the typical post) per local weekday x hour; None = no posts."""

    timezone: str
    window: str
    lift: list[list[float | None]]  # [weekday 0=Monday][hour]
    posts: list[list[int]]

    @property
    def total_posts(self) -> int:
        return sum(sum(row) for row in self.posts)


class Digest(BaseModel):
    userId: str
    name: str
    timezone: str
    cadence: str
    occurrence_key: str
    period_label: str
    previous_label: str
    period_start: datetime
    period_end: datetime
    has_data: bool
    headline: str
    platforms: list[PlatformLine]
    top_posts: list[PostLine]
    weakest: PostLine | None
    best_times: BestTimes | None
    insights: list[InsightLine]
    caveats: list[str]
    heatmap: Heatmap | None
    followers_now: dict[str, int]
    summary: str | None = None
