"""Conditional-write claims on the runtime table: "exactly one process does this" across hosts.

A claim is one item (`PK=<key>`, `SK=CLAIM`) written with a condition that it is absent or
expired, so when two processes race for the same key DynamoDB lets exactly one write win. Slack
event de-duplication, digest sends and account syncs need this; in-process memory cannot give
it once a second server or a Lambda retry is involved. Keys come from `store.runtime_keys`.

`expiresAt` (epoch seconds) is the table's TTL attribute. DynamoDB deletes expired items lazily
(up to days later), so the condition also treats an item whose `expiresAt` is in the past as
free: expiry is exact even when deletion is not.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from cloudstro.store.codec import to_item
from cloudstro.store.dynamo import Dynamo
from cloudstro.store.runtime import RuntimeRecords
from cloudstro.store.runtime_keys import CLAIM_SK

__all__ = ["CLAIM_SK", "ClaimsRepository"]


class ClaimsRepository(RuntimeRecords):
    """Claims on the runtime table (keys `PK`/`SK`, TTL `expiresAt`).

    `owner` identifies this process's claims, so `release` and `mark_done` can never touch a
    claim another process holds.
    """

    def __init__(self, dynamo: Dynamo, table_name: str, owner: str | None = None) -> None:
        super().__init__(dynamo, table_name)
        self.owner = owner or uuid.uuid4().hex

    def claim(self, key: str, ttl_seconds: int, *, now: float | None = None,
              attributes: dict[str, Any] | None = None) -> bool:
        """True when this caller now holds `key` (it was free or expired); False otherwise."""
        if ttl_seconds <= 0:
            raise ValueError(f"ttl_seconds must be positive, got {ttl_seconds}")
        at = int(now if now is not None else time.time())
        item = {**(attributes or {}), "PK": key, "SK": CLAIM_SK, "owner": self.owner,
                "claimedAt": at, "expiresAt": at + ttl_seconds, "done": False}
        return self._conditionally(
            lambda: self.table.put_item(
                Item=to_item(item),
                ConditionExpression="attribute_not_exists(PK) OR expiresAt < :now",
                ExpressionAttributeValues={":now": at},
            ))

    def release(self, key: str) -> bool:
        """Give up an unfinished claim (the work did not happen), so a later attempt may run."""
        return self._conditionally(
            lambda: self.table.delete_item(
                Key={"PK": key, "SK": CLAIM_SK},
                ConditionExpression="#o = :me AND #d = :false",
                ExpressionAttributeNames={"#o": "owner", "#d": "done"},
                ExpressionAttributeValues={":me": self.owner, ":false": False},
            ))

    def mark_done(self, key: str, ttl_seconds: int | None = None, *,
                  now: float | None = None) -> bool:
        """Record that the claimed work happened; optionally keep the claim for `ttl_seconds` more.

        False when this caller does not hold the claim (it expired and someone else took it).
        """
        at = int(now if now is not None else time.time())
        expression = "SET #d = :true, doneAt = :at"
        values: dict[str, Any] = {":true": True, ":at": at, ":me": self.owner}
        if ttl_seconds is not None:
            expression += ", expiresAt = :exp"
            values[":exp"] = at + ttl_seconds
        return self._conditionally(
            lambda: self.table.update_item(
                Key={"PK": key, "SK": CLAIM_SK}, UpdateExpression=expression,
                ConditionExpression="#o = :me",
                ExpressionAttributeNames={"#d": "done", "#o": "owner"},
                ExpressionAttributeValues=values,
            ))

    def get_claim(self, key: str) -> dict[str, Any] | None:
        """The claim item as stored (expired ones included until DynamoDB deletes them)."""
        return self.get_record(key, CLAIM_SK, include_expired=True)
