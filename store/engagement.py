"""cloudstro-social-engagement: measurements of each post's counts over time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from cloudstro.store.base import ReadList, Repository
from cloudstro.store.records import EngagementSnapshot, iso_z
from cloudstro.store.tables import ENGAGEMENT_BY_TIME


class EngagementRepository(Repository):
    role = "engagement"
    key_names = ("userId", "engagementId")

    def put(self, snapshot: EngagementSnapshot) -> None:
        self._put(snapshot.to_record())

    def put_many(self, snapshots: list[EngagementSnapshot],
                 progress: Callable[[int], None] | None = None) -> int:
        return self._batch_put([snapshot.to_record() for snapshot in snapshots], progress)

    def get_many(self, user_id: str, engagement_ids: list[str]
                 ) -> dict[str, EngagementSnapshot]:
        """The stored snapshots among `engagement_ids`, by id, in batched reads."""
        items = self._batch_get([{"userId": user_id, "engagementId": engagement_id}
                                 for engagement_id in engagement_ids])
        return {snapshot.engagementId: snapshot
                for snapshot in self._read_all(EngagementSnapshot, items)}

    def history_for_post(self, user_id: str, post_id: str,
                         limit: int | None = None) -> ReadList[EngagementSnapshot]:
        """A post's snapshots in time order: `begins_with(engagementId, "<postId>#")`."""
        items = self._query(KeyConditionExpression=Key("userId").eq(user_id)
                            & Key("engagementId").begins_with(f"{post_id}#"), limit=limit)
        return self._read_all(EngagementSnapshot, items)

    def in_period(self, user_id: str, start: datetime, end: datetime,
                  platform: str | None = None) -> ReadList[EngagementSnapshot]:
        """Snapshots measured in [start, end], oldest first.

        The seed filters the whole partition on `timestampISO`; the sort key begins with the
        post id, not the time. This reads `userId-timestampISO-index` with the range as the
        key condition, so a day costs that day's snapshots; a platform is a filter there.
        """
        params: dict[str, Any] = {
            "IndexName": ENGAGEMENT_BY_TIME.name,
            "KeyConditionExpression": Key("userId").eq(user_id)
            & Key("timestampISO").between(iso_z(start), iso_z(end)),
        }
        if platform:
            params["FilterExpression"] = Attr("engagementId").begins_with(f"{platform}#")
        items = self._query(has_filter=bool(platform), **params)
        return self._read_all(EngagementSnapshot, items)

    def for_user(self, user_id: str, platform: str | None = None,
                 limit: int | None = None) -> ReadList[EngagementSnapshot]:
        condition = Key("userId").eq(user_id)
        if platform:
            condition = condition & Key("engagementId").begins_with(f"{platform}#")
        items = self._query(KeyConditionExpression=condition, limit=limit)
        return self._read_all(EngagementSnapshot, items)
