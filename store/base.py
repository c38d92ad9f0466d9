"""What every repository shares: paged queries and scans, batched and conditional writes,
validated records.

Reads are tolerant (see `store.records`): an item that still cannot be read, say a malformed
`createdAt` or a key attribute of the wrong type, is skipped, logged once by its key (never
its content) and counted in the `ReadList` the read returns, so an answer says "1 post could
not be read" instead of failing for every question that touches the partition.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from pydantic import ValidationError

from cloudstro.store.codec import from_item, to_item
from cloudstro.store.dynamo import Dynamo
from cloudstro.store.errors import ConditionFailedError, UnprocessedItemsError
from cloudstro.store.records import Record, Stored

ModelT = TypeVar("ModelT", bound=Stored)

log = logging.getLogger("cloudstro.store")

BATCH_SIZE = 25  # BatchWriteItem's hard limit per request
GET_BATCH_SIZE = 100  # BatchGetItem's hard limit per request
MAX_BATCH_ATTEMPTS = 8


class ReadList(list[ModelT]):
    """The records a read returned, plus the keys of the items it had to skip.

    A plain list to every caller that only wants the records; `skipped` is for the ones that
    tell the user what they could not read.
    """

    def __init__(self, records: Iterable[ModelT] = (),
                 skipped: Iterable[dict[str, str]] = ()) -> None:
        super().__init__(records)
        self.skipped: list[dict[str, str]] = list(skipped)

    def keeping(self, records: Iterable[ModelT]) -> ReadList[ModelT]:
        """Other records (filtered, sorted, cut) that still carry this read's skipped keys."""
        return ReadList(records, self.skipped)


def batch_get(dynamo: Dynamo, keys_by_table: dict[str, list[dict[str, Any]]]
              ) -> Iterator[tuple[str, dict[str, Any]]]:
    """(table, item) for each key that holds an item, from one BatchGetItem request (at most
    100 keys in all), retrying `UnprocessedKeys` with jittered backoff.

    Keys may span tables: reads that one answer needs from two tables cost one round trip.
    """
    pending: dict[str, Any] = {table: {"Keys": keys} for table, keys in keys_by_table.items()
                               if keys}
    tables = ", ".join(pending)
    for attempt in range(MAX_BATCH_ATTEMPTS):
        if not pending:
            return
        with dynamo.translate_errors(tables):
            response = dynamo.client.batch_get_item(RequestItems=pending)
        for table, items in response.get("Responses", {}).items():
            for item in items:
                yield table, from_item(item)
        pending = response.get("UnprocessedKeys") or {}
        if pending and attempt + 1 < MAX_BATCH_ATTEMPTS:  # no pause before giving up
            time.sleep(min(2.0, 0.05 * 2 ** attempt) * (0.5 + random.random() / 2))
    if pending:
        table, request = next(iter(pending.items()))
        raise UnprocessedItemsError(table, len(request["Keys"]), MAX_BATCH_ATTEMPTS)


class Repository:
    """One table's access patterns. Subclasses name the table role and key attributes."""

    role: str = ""
    key_names: tuple[str, str] = ("", "")

    def __init__(self, dynamo: Dynamo, table_name: str) -> None:
        self.dynamo = dynamo
        self.table_name = table_name
        self.table = dynamo.table(table_name)

    # ------------------------------------------------------------------ reads

    def _read_all(self, model: type[ModelT], items: Iterable[dict[str, Any]]
                  ) -> ReadList[ModelT]:
        """Every item that can be read as `model`; the others skipped, logged and counted."""
        result: ReadList[ModelT] = ReadList()
        for item in items:
            try:
                result.append(model.from_stored(item))
            except ValidationError as exc:
                key = self._key_of(item)
                log.warning("skipped an unreadable %s item %s (%s)", self.role, key,
                            _problems(exc))
                result.skipped.append(key)
        return result

    def _read_one(self, model: type[ModelT], item: dict[str, Any] | None) -> ModelT | None:
        """One item asked for by its key: read tolerantly; if it still cannot be read, the
        caller asked for exactly this record, so the validation error is raised, not hidden."""
        return model.from_stored(item) if item else None

    def _key_of(self, item: dict[str, Any]) -> dict[str, str]:
        return {name: str(item.get(name, "?")) for name in self.key_names}

    def _get(self, key: dict[str, Any], projection: Iterable[str] | None = None
             ) -> dict[str, Any] | None:
        kwargs: dict[str, Any] = {"Key": key}
        kwargs.update(_projection(projection))
        with self.dynamo.translate_errors(self.table_name):
            item = self.table.get_item(**kwargs).get("Item")
        return from_item(item) if item else None

    def _batch_get(self, keys: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """The items stored under `keys` (missing ones left out), 100 keys per request:
        N lookups cost N/100 round trips."""
        unique = list({tuple(key[name] for name in self.key_names): key
                       for key in keys}.values())
        for start in range(0, len(unique), GET_BATCH_SIZE):
            chunk = {self.table_name: unique[start:start + GET_BATCH_SIZE]}
            for _table, item in batch_get(self.dynamo, chunk):
                yield item

    def _query(self, *, limit: int | None = None, projection: Iterable[str] | None = None,
               has_filter: bool = False, **params: Any) -> Iterator[dict[str, Any]]:
        """A Query's items across every page (see `_paged`)."""
        return self._paged(self.table.query, limit, projection, has_filter, params)

    def _scan(self, *, limit: int | None = None, projection: Iterable[str] | None = None,
              has_filter: bool = False, **params: Any) -> Iterator[dict[str, Any]]:
        """A Scan's items across every page (see `_paged`); for batch jobs only, never a
        request path."""
        return self._paged(self.table.scan, limit, projection, has_filter, params)

    def _paged(self, operation: Callable[..., dict[str, Any]], limit: int | None,
               projection: Iterable[str] | None, has_filter: bool, params: dict[str, Any]
               ) -> Iterator[dict[str, Any]]:
        """Yield items across every 1 MB page (see `pages`) until `limit` or the end.

        Without a filter, `Limit` asks DynamoDB for exactly the remaining count, so a limited
        read costs no more than it returns. With a filter, `Limit` would cap items *evaluated*,
        not returned, so pages run at the size the caller gave (or their natural size) and the
        loop stops at `limit`.
        """
        if limit is not None and limit <= 0:
            return
        params.update(_projection(projection, params.get("ExpressionAttributeNames")))
        exact = None if has_filter else limit  # how many items to ask DynamoDB for
        if exact is not None:
            params["Limit"] = exact
        returned = 0
        for page in pages(self.dynamo, self.table_name, operation, params):
            for item in page.get("Items", []):
                yield from_item(item)
                returned += 1
                if limit is not None and returned >= limit:
                    return
            if exact is not None:
                params["Limit"] = exact - returned  # the next page asks only for what is left

    # ------------------------------------------------------------------ writes

    def _put(self, item: dict[str, Any], **conditions: Any) -> None:
        with self.dynamo.translate_errors(self.table_name):
            self.table.put_item(Item=to_item(item), **conditions)

    def _conditionally(self, write: Callable[[], Any]) -> bool:
        """Run a conditional write; False when its condition did not hold (another process got
        there first, or the item is not in the state the write needs)."""
        try:
            with self.dynamo.translate_errors(self.table_name):
                write()
        except ConditionFailedError:
            return False
        return True

    def refresh(self, record: Record) -> None:
        """Write `record`'s attributes onto its item, keeping the attributes it does not carry.

        A put replaces the whole item; this is for writers that own only part of an item (the
        demo data owns a profile's name and habits, not the Slack link or digest settings a
        person added since), so refreshing their part never erases someone else's.
        """
        item = to_item(record.to_record())
        key = {name: item.pop(name) for name in self.key_names}
        names = {f"#a{index}": name for index, name in enumerate(item)}
        values = {f":v{index}": value for index, value in enumerate(item.values())}
        expression = "SET " + ", ".join(f"#a{index} = :v{index}" for index in range(len(item)))
        with self.dynamo.translate_errors(self.table_name):
            self.table.update_item(Key=key, UpdateExpression=expression,
                                   ExpressionAttributeNames=names,
                                   ExpressionAttributeValues=values)

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


def pages(dynamo: Dynamo, table_name: str, operation: Callable[..., dict[str, Any]],
          params: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every page of one Query or Scan as DynamoDB returned it, following `LastEvaluatedKey`.

    The store's one paging loop (after PynamoDB's `pagination.py`): Query and Scan page alike
    (`LastEvaluatedKey` → `ExclusiveStartKey`), whether through the resource (`table.query`)
    or the client (`client.scan` with `TableName`). Repositories read items through
    `Repository._query`/`_scan`, built on it; a caller that needs page boundaries (a
    resumable migration saves each page's `LastEvaluatedKey`) iterates the pages. `params` is
    read afresh for every request, so a caller may change `Limit` between pages.
    """
    while True:
        with dynamo.translate_errors(table_name):
            page = operation(**params)
        yield page
        last_key = page.get("LastEvaluatedKey")
        if not last_key:
            return
        params["ExclusiveStartKey"] = last_key


def _problems(error: ValidationError) -> str:
    """Which attributes failed and how, never their values (they may be message text)."""
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or error.title}: {e['type']}"
                     for e in error.errors()[:3])


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
