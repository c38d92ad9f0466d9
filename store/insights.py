"""cloudstro-ai-insights: recommendations with confidence, validity and TTL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from cloudstro.store.base import ReadList, Repository
from cloudstro.store.records import AIInsight, iso_z


class InsightsRepository(Repository):
    role = "insights"
    key_names = ("userId", "insightId")

    def put(self, insight: AIInsight) -> None:
        """Idempotent: the same `insightId` overwrites in place, leaving one item."""
        self._put(insight.to_record())

    def put_many(self, insights: list[AIInsight]) -> int:
        return self._batch_put([insight.to_record() for insight in insights])

    def get(self, user_id: str, insight_id: str) -> AIInsight | None:
        return self._read_one(AIInsight, self._get({"userId": user_id, "insightId": insight_id}))

    def delete(self, user_id: str, insight_id: str) -> None:
        self._delete({"userId": user_id, "insightId": insight_id})

    def ids_for_user(self, user_id: str) -> list[str]:
        """Every insight id in the user's partition, keys only (one small Query per 1 MB)."""
        items = self._query(KeyConditionExpression=Key("userId").eq(user_id),
                            projection=("insightId",))
        return [item["insightId"] for item in items]

    def list_for_user(self, user_id: str, insight_type: str | None = None,
                      limit: int | None = None) -> ReadList[AIInsight]:
        """All of a user's insights, optionally of one type.

        The seed filters type with a FilterExpression over the whole partition; insight ids
        start with their type (`optimal_timing_<epoch>_<suffix>`), so the type is a
        `begins_with` key condition and only that type's items are read. The `insightType`
        filter stays only to keep ids that merely share the prefix out.
        """
        condition = Key("userId").eq(user_id)
        params: dict[str, Any] = {}
        if insight_type:
            condition = condition & Key("insightId").begins_with(f"{insight_type}_")
            params = {"FilterExpression": Attr("insightType").eq(insight_type),
                      "has_filter": True}
        items = self._query(KeyConditionExpression=condition, limit=limit, **params)
        return self._read_all(AIInsight, items)

    def active(self, user_id: str, insight_type: str | None = None,
               min_confidence: float | None = None, platform: str | None = None,
               now: datetime | None = None, limit: int | None = None) -> ReadList[AIInsight]:
        """Insights a user may act on now, most confident first.

        An insight is live only while `isActive`, before `validUntilISO` and before `TTL`:
        DynamoDB deletes expired items up to two days late, so the TTL is checked here too.
        A finding with zero confidence ("no clear winner yet") makes no claim to act on, so it
        is not listed here; the tool that computed it still reads it by id.
        """
        now = now or datetime.now(UTC)
        condition = Key("userId").eq(user_id)
        if insight_type:
            condition = condition & Key("insightId").begins_with(f"{insight_type}_")
        # An item without the derived `validUntilISO` (written by another tool) is judged by
        # `validUntil` once read; `is_live` below has the last word either way.
        live = (Attr("isActive").eq(True)
                & (Attr("validUntilISO").gt(iso_z(now)) | Attr("validUntilISO").not_exists())
                & (Attr("TTL").not_exists() | Attr("TTL").gt(int(now.timestamp()))))
        if insight_type:
            live = live & Attr("insightType").eq(insight_type)
        if min_confidence is not None:
            live = live & Attr("confidenceScore").gte(_decimal(min_confidence))
        if platform:
            live = live & Attr("platform").eq(platform)
        items = self._query(KeyConditionExpression=condition, FilterExpression=live,
                            has_filter=True)
        read = self._read_all(AIInsight, items)
        current = sorted((insight for insight in read
                          if insight.is_live(now) and insight.confidence > 0),
                         key=lambda insight: insight.confidence, reverse=True)
        return read.keeping(current[:limit] if limit is not None else current)

    def high_confidence(self, insight_type: str, min_confidence: float,
                        limit: int | None = None) -> ReadList[AIInsight]:
        """Cross-user GSI read (insightType-confidenceScore-index): batch jobs only."""
        items = self._query(IndexName="insightType-confidenceScore-index", limit=limit,
                            ScanIndexForward=False,
                            KeyConditionExpression=Key("insightType").eq(insight_type)
                            & Key("confidenceScore").gt(_decimal(min_confidence)))
        return self._read_all(AIInsight, items)


def _decimal(value: float) -> Decimal:
    return Decimal(str(value))
