"""Reading the legacy table: a parallel Scan, page by page, resumable at any page boundary.

A migration is the one job that must read every item, so it is the one place a Scan is right.
`TotalSegments` splits the table into disjoint parts that workers read side by side; each part
is read in pages that stop at 1 MB (or `page_size` items), following `LastEvaluatedKey`. The
key is saved as progress in DynamoDB's wire format (`{"PK": {"S": "..."}}`), which is JSON
whatever the key's types, and handed back as `ExclusiveStartKey` on resume.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from cloudstro.store.base import pages
from cloudstro.store.dynamo import Dynamo
from cloudstro.store.errors import MigrationError, TableMissingError

_DESERIALIZER = TypeDeserializer()
_SERIALIZER = TypeSerializer()


@dataclass(frozen=True)
class Page:
    """One Scan page of one segment; `last_key` None means the segment is finished."""

    segment: int
    number: int
    items: list[dict[str, Any]]
    last_key: dict[str, Any] | None


def describe_source(dynamo: Dynamo, table: str) -> int:
    """DynamoDB's item count of the source (refreshed about every six hours: an estimate for
    the progress line, never a figure the verification relies on)."""
    try:
        with dynamo.translate_errors(table):
            description = dynamo.client.describe_table(TableName=table)["Table"]
    except TableMissingError as exc:
        raise MigrationError(f"source table {table!r} does not exist at "
                             f"{dynamo.endpoint_label}") from exc
    return int(description.get("ItemCount") or 0)


def scan_segment(dynamo: Dynamo, table: str, segment: int, total_segments: int, *,
                 start_key: dict[str, Any] | None = None, first_number: int = 1,
                 page_size: int | None = None) -> Iterator[Page]:
    """Yield the pages of one segment from `start_key` (the key after the last finished page)."""
    params: dict[str, Any] = {"TableName": table, "Segment": segment,
                              "TotalSegments": total_segments}
    if page_size:
        params["Limit"] = page_size
    if start_key:
        params["ExclusiveStartKey"] = start_key
    for number, response in enumerate(pages(dynamo, table, dynamo.client.scan, params),
                                      first_number):
        yield Page(segment, number, response.get("Items", []),
                   response.get("LastEvaluatedKey"))


def count_items(dynamo: Dynamo, table: str) -> int:
    """Exactly how many items `table` holds now: a paged `Select=COUNT` Scan (reads keys and
    bills as a Scan, returns no items)."""
    params: dict[str, Any] = {"TableName": table, "Select": "COUNT"}
    return sum(int(response.get("Count", 0))
               for response in pages(dynamo, table, dynamo.client.scan, params))


def key_to_text(key: dict[str, Any]) -> str:
    """A `LastEvaluatedKey` as JSON text (wire format, so a number key survives exactly)."""
    return json.dumps({name: _SERIALIZER.serialize(value) for name, value in key.items()},
                      sort_keys=True)


def key_from_text(text: str) -> dict[str, Any]:
    return {name: _DESERIALIZER.deserialize(value) for name, value in json.loads(text).items()}
