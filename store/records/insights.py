"""A stored recommendation: the AI-insights table's record, live until it expires."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal, Self

from pydantic import Field, model_validator

from cloudstro.store.records.base import OptionalOnRead, Platform, Record, Stored
from cloudstro.store.records.timestamps import UtcDateTime, as_iso, parse_utc

InsightType = Literal["optimal_timing", "content_strategy", "platform_focus", "engagement_trend",
                      "user_note"]


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
                    data[target] = as_iso(data[source])
                except ValueError:
                    return
        if "TTL" not in data and data.get("validUntil") is not None:
            try:
                data["TTL"] = int(parse_utc(data["validUntil"]).timestamp())
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
