"""What every repository shares: paged queries, batched writes, validated records."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from pydantic import BaseModel

from cloudstro.store.codec import from_item, to_item
from cloudstro.store.dynamo import Dynamo
from cloudstro.store.errors import UnprocessedItemsError

ModelT = TypeVar("ModelT", bound=BaseModel)

BATCH_SIZE = 25  # BatchWriteItem's hard limit per request
MAX_BATCH_ATTEMPTS = 8


class Repository:
    """One table's access patterns. Subclasses name the table role and key attributes."""

    role: str = ""
    key_names: tuple[str, str] = ("", "")

    def __init__(self, dynamo: Dynamo, table_name: str) -> None:
        self.dynamo = dynamo
        self.table_name = table_name
        self.table = dynamo.table(table_name)

    # ------------------------------------------------------------------ reads

    def _get(self, key: dict[str, Any], projection: Iterable[str] | None = None
             ) -> dict[str, Any] | None:
        kwargs: dict[str, Any] = {"Key": key}
        kwargs.update(_projection(projection))
        with self.dynamo.translate_errors(self.table_name):
            item = self.table.get_item(**kwargs).get("Item")
        return from_item(item) if item else None

    def _query(self, *, limit: int | None = None, projection: Iterable[str] | None = None,
               has_filter: bool = False, **params: Any) -> Iterator[dict[str, Any]]:
        """Yield items across every 1 MB page until `limit` items or the end.

        Without a filter, `Limit` asks DynamoDB for exactly the remaining count, so a limited
        read costs no more than it returns. With a filter, `Limit` would cap items *evaluated*,
        not returned, so pages run at their natural size and the loop stops at `limit`.
        """
        if limit is not None and limit <= 0:
            return
        params.update(_projection(projection, params.get("ExpressionAttributeNames")))
        returned = 0
        while True:
            if limit is not None and not has_filter:
                params["Limit"] = limit - returned
            with self.dynamo.translate_errors(self.table_name):
                page = self.table.query(**params)
            for item in page.get("Items", []):
                yield from_item(item)
                returned += 1
                if limit is not None and returned >= limit:
                    return
            last_key = page.get("LastEvaluatedKey")
            if not last_key:
                return
            params["ExclusiveStartKey"] = last_key

    # ------------------------------------------------------------------ writes

    def _put(self, item: dict[str, Any], **conditions: Any) -> None:
        with self.dynamo.translate_errors(self.table_name):
            self.table.put_item(Item=to_item(item), **conditions)

    def _batch_put(self, items: list[dict[str, Any]],
                   progress: Callable[[int], None] | None = None) -> int:
        """Write items 25 per request, retrying `UnprocessedItems` with jittered backoff.

        Items with the same key collapse to the last one first: BatchWriteItem rejects a
        request holding one key twice, and "last write wins" is what a put would do anyway.
        """
        unique: dict[tuple[Any, ...], dict[str, Any]] = {}
        for item in items:
            unique[tuple(item[name] for name in self.key_names)] = item
        requests = [{"PutRequest": {"Item": to_item(item)}} for item in unique.values()]
        for start in range(0, len(requests), BATCH_SIZE):
            chunk = requests[start:start + BATCH_SIZE]
            self._write_chunk(chunk)
            if progress:
                progress(len(chunk))
        return len(requests)

    def _write_chunk(self, chunk: list[dict[str, Any]]) -> None:
        pending = {self.table_name: chunk}
        for attempt in range(MAX_BATCH_ATTEMPTS):
            with self.dynamo.translate_errors(self.table_name):
                response = self.dynamo.client.batch_write_item(RequestItems=pending)
            pending = response.get("UnprocessedItems") or {}
            if not pending:
                return
            time.sleep(min(2.0, 0.05 * 2 ** attempt) * (0.5 + random.random() / 2))
        left = sum(len(requests) for requests in pending.values())
        raise UnprocessedItemsError(self.table_name, left, MAX_BATCH_ATTEMPTS)

    def _delete(self, key: dict[str, Any]) -> None:
        with self.dynamo.translate_errors(self.table_name):
            self.table.delete_item(Key=key)


def _projection(attributes: Iterable[str] | None,
                existing_names: dict[str, str] | None = None) -> dict[str, Any]:
    """A ProjectionExpression with every name aliased (several seed names are reserved words)."""
    if not attributes:
        return {}
    names = dict(existing_names or {})
    aliases = []
    for index, attribute in enumerate(attributes):
        alias = f"#p{index}"
        names[alias] = attribute
        aliases.append(alias)
    return {"ProjectionExpression": ", ".join(aliases), "ExpressionAttributeNames": names}
