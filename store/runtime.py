"""The runtime table's small keyed records, one repository per feature that keeps them.

The runtime table (keys `PK`/`SK`, TTL attribute `expiresAt`) holds what the product needs to
remember between requests but which belongs to no seed table: claims (`store.claims`), a Slack
user's link to a CloudStro user, feedback votes on answers, the demo data's last arguments.
Each feature gets its own repository so its callers speak of links or votes, never of keys;
every key comes from `store.runtime_keys`, so two features cannot collide on one.

DynamoDB deletes expired items lazily (up to days later), so a read treats an item whose
`expiresAt` has passed as absent: expiry is exact even when deletion is not.
"""

from __future__ import annotations

import time
from typing import Any

from cloudstro.store.base import Repository
from cloudstro.store.codec import from_item, to_item
from cloudstro.store.runtime_keys import (
    DEMO_RUN_SK,
    SLACK_LINK_SK,
    demo_run_key,
    feedback_key,
    slack_link_key,
)


class RuntimeRecords(Repository):
    """Write and read one small record on the runtime table, optionally with an expiry."""

    role = "runtime"
    key_names = ("PK", "SK")

    def put_record(self, pk: str, sk: str, attributes: dict[str, Any],
                   ttl_seconds: int | None = None, *, now: float | None = None) -> None:
        """Write (replace) one small record; with `ttl_seconds` it expires on its own."""
        item = {**attributes, "PK": pk, "SK": sk}
        if ttl_seconds is not None:
            item["expiresAt"] = int(now if now is not None else time.time()) + ttl_seconds
        with self.dynamo.translate_errors(self.table_name):
            self.table.put_item(Item=to_item(item))

    def get_record(self, pk: str, sk: str, *, include_expired: bool = False
                   ) -> dict[str, Any] | None:
        """One record by key (a strongly consistent read), or None; an expired record reads
        as absent unless `include_expired`."""
        with self.dynamo.translate_errors(self.table_name):
            item = self.table.get_item(Key={"PK": pk, "SK": sk}, ConsistentRead=True).get("Item")
        if not item:
            return None
        record: dict[str, Any] = from_item(item)
        expires = record.get("expiresAt")
        if not include_expired and expires is not None and int(expires) < int(time.time()):
            return None
        return record


class SlackLinksRepository(RuntimeRecords):
    """Which CloudStro user a Slack user is: the cheap first step of every Slack turn."""

    def get(self, slack_user_id: str) -> dict[str, Any] | None:
        return self.get_record(slack_link_key(slack_user_id), SLACK_LINK_SK)

    def put(self, user_id: str, slack_user_id: str, team_id: str | None,
            linked_at: str) -> None:
        self.put_record(slack_link_key(slack_user_id), SLACK_LINK_SK, {
            "userId": user_id, "slackUserId": slack_user_id, "slackTeamId": team_id,
            "linkedAt": linked_at})


class FeedbackRepository(RuntimeRecords):
    """People's votes on answers, one per person per answer, kept for a while then expired."""

    def put(self, channel: str, message_ts: str, slack_user_id: str,
            attributes: dict[str, Any], ttl_seconds: int) -> None:
        self.put_record(*feedback_key(channel, message_ts, slack_user_id), attributes,
                        ttl_seconds=ttl_seconds)

    def get(self, channel: str, message_ts: str, slack_user_id: str) -> dict[str, Any] | None:
        return self.get_record(*feedback_key(channel, message_ts, slack_user_id))


class DemoRunsRepository(RuntimeRecords):
    """The arguments each demo user's data was last generated with, so a reseed can remove
    exactly what that run wrote and this one does not."""

    def get(self, user_id: str) -> dict[str, Any] | None:
        return self.get_record(demo_run_key(user_id), DEMO_RUN_SK)

    def put(self, user_id: str, run: dict[str, Any]) -> None:
        self.put_record(demo_run_key(user_id), DEMO_RUN_SK, run)
