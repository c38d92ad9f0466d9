"""Proving nothing was lost: per-table counts source against target, and a sample of records
read back and compared attribute by attribute.

Counts catch items that never arrived or collapsed onto one key; the sample catches items that
arrived different from what was meant (a number turned string, an attribute lost, a token
that no longer decrypts to the same text because something rewrote it). The sample is a
reservoir, so every written record had the same chance to be in it whatever the table's size.
"""

from __future__ import annotations

import random
import threading
from typing import Any

from cloudstro.store.codec import from_item, to_item
from cloudstro.store.migration.report import Mismatch, TableCheck, Tally, Verification
from cloudstro.store.migration.source import count_items
from cloudstro.store.migration.targets import TargetTable

MISSING = "(item missing)"


class Sample:
    """Up to `size` written records per target table, chosen uniformly (reservoir sampling)."""

    def __init__(self, size: int, seed: int = 0) -> None:
        self.size = size
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._seen: dict[str, int] = {}
        self.items: dict[str, list[dict[str, Any]]] = {}

    def offer(self, role: str, item: dict[str, Any]) -> None:
        if self.size <= 0:
            return
        with self._lock:
            seen = self._seen.get(role, 0) + 1
            self._seen[role] = seen
            kept = self.items.setdefault(role, [])
            if len(kept) < self.size:
                kept.append(item)
                return
            slot = self._random.randrange(seen)
            if slot < self.size:
                kept[slot] = item


def verify(tables: dict[str, TargetTable], tally: Tally, sample: Sample) -> Verification:
    result = Verification()
    for role, table in tables.items():
        result.tables.append(TableCheck(role, table.table_name, tally.written.get(role, 0),
                                        count_items(table.dynamo, table.table_name)))
    for role, items in sample.items.items():
        table = tables[role]
        stored = table.existing([table.key_dict(item) for item in items])
        for item in items:
            expected = from_item(to_item(item))
            found = stored.get(table.key_of(item))
            result.sampled += 1
            if found is None:
                differing: tuple[str, ...] = (MISSING,)
            else:
                differing = tuple(sorted(name for name in expected.keys() | found.keys()
                                         if expected.get(name) != found.get(name)))
            if differing:
                result.mismatches.append(Mismatch(role, {name: str(value) for name, value
                                                         in table.key_dict(item).items()},
                                                  differing))
    return result
