"""Conditional-write claims on the runtime table: "exactly one process does this" across hosts.

A claim is one item (`PK=<key>`, `SK=CLAIM`) written with a condition that it is absent or
expired, so when two processes race for the same key DynamoDB lets exactly one write win. Slack
event de-duplication and digest sends both need this; in-process memory cannot give it once a
second server or a Lambda retry is involved.

`expiresAt` (epoch seconds) is the table's TTL attribute. DynamoDB deletes expired items lazily
(up to days later), so the condition also treats an item whose `expiresAt` is in the past as
free: expiry is exact even when deletion is not.

The same table holds the product's other small, keyed runtime records (a Slack user's link to a
CloudStro user, feedback clicks); `put_record`/`get_record` write and read those, optionally
with an expiry.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from botocore.exceptions import ClientError

from cloudstro.store.codec import from_item, to_item
from cloudstro.store.dynamo import Dynamo

CLAIM_SK = "CLAIM"


class ClaimsRepository:
    """Claims and small records on the runtime table (keys `PK`/`SK`, TTL `expiresAt`).

    `owner` identifies this process's claims, so `release` and `mark_done` can never touch a
    claim another process holds.
    """

    def __init__(self, dynamo: Dynamo, table_name: str, owner: str | None = None) -> None:
        self.dynamo = dynamo
        self.table_name = table_name
        self.table = dynamo.table(table_name)
        self.owner = owner or uuid.uuid4().hex

    # ------------------------------------------------------------------ claims

    def claim(self, key: str, ttl_seconds: int, *, now: float | None = None,
              attributes: dict[str, Any] | None = None) -> bool:
        """True when this caller now holds `key` (it was free or expired); False otherwise."""
        if ttl_seconds <= 0:
            raise ValueError(f"ttl_seconds must be positive, got {ttl_seconds}")
        at = int(now if now is not None else time.time())
        item = {**(attributes or {}), "PK": key, "SK": CLAIM_SK, "owner": self.owner,
                "claimedAt": at, "expiresAt": at + ttl_seconds, "done": False}
        return self._conditional(
            lambda: self.table.put_item(
                Item=to_item(item),
                ConditionExpression="attribute_not_exists(PK) OR expiresAt < :now",
                ExpressionAttributeValues={":now": at},
            ))

    def release(self, key: str) -> bool:
        """Give up an unfinished claim (the work did not happen), so a later attempt may run."""
        return self._conditional(
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
        return self._conditional(
            lambda: self.table.update_item(
                Key={"PK": key, "SK": CLAIM_SK}, UpdateExpression=expression,
                ConditionExpression="#o = :me",
                ExpressionAttributeNames={"#d": "done", "#o": "owner"},
                ExpressionAttributeValues=values,
            ))

    def get_claim(self, key: str) -> dict[str, Any] | None:
        """The claim item as stored (expired ones included until DynamoDB deletes them)."""
        return self.get_record(key, CLAIM_SK)

    # ------------------------------------------------------------------ records

    def put_record(self, pk: str, sk: str, attributes: dict[str, Any],
                   ttl_seconds: int | None = None, *, now: float | None = None) -> None:
        """Write (replace) one small record; with `ttl_seconds` it expires on its own."""
        item = {**attributes, "PK": pk, "SK": sk}
        if ttl_seconds is not None:
            item["expiresAt"] = int(now if now is not None else time.time()) + ttl_seconds
        with self.dynamo.translate_errors(self.table_name):
            self.table.put_item(Item=to_item(item))

    def get_record(self, pk: str, sk: str) -> dict[str, Any] | None:
        """One record by key, or None; an expired record reads as absent."""
        with self.dynamo.translate_errors(self.table_name):
            item = self.table.get_item(Key={"PK": pk, "SK": sk}, ConsistentRead=True).get("Item")
        if not item:
            return None
        record = from_item(item)
        expires = record.get("expiresAt")
        if expires is not None and sk != CLAIM_SK and int(expires) < int(time.time()):
            return None
        return record

    # ------------------------------------------------------------------ internals

    def _conditional(self, write: Any) -> bool:
        try:
            with self.dynamo.translate_errors(self.table_name):
                write()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True
