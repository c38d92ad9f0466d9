"""The five target tables as the migration writes and reads them back.

Writes go through the repositories' shared batch path (25 puts per request, `UnprocessedItems`
retried with backoff, one key once per request), so a migrated item is stored exactly as the
product's own batch writes store it.
"""

from __future__ import annotations

from typing import Any

from cloudstro.store.base import Repository
from cloudstro.store.dynamo import Dynamo
from cloudstro.store.tables import TableSpec, table_specs

Key = tuple[Any, ...]


class TargetTable(Repository):
    """One target table: batch puts, and batch reads of the items some keys hold now."""

    def __init__(self, dynamo: Dynamo, spec: TableSpec) -> None:
        super().__init__(dynamo, spec.name)
        self.role = spec.role
        self.key_names = (spec.partition.name, spec.sort.name)

    def key_of(self, item: dict[str, Any]) -> Key:
        return tuple(item[name] for name in self.key_names)

    def key_dict(self, item: dict[str, Any]) -> dict[str, Any]:
        return {name: item[name] for name in self.key_names}

    def write(self, items: list[dict[str, Any]]) -> int:
        """Put `items` (records already validated); returns how many distinct keys."""
        return self._batch_put(items) if items else 0

    def existing(self, keys: list[dict[str, Any]]) -> dict[Key, dict[str, Any]]:
        """The items stored now under `keys`, by key (absent keys left out)."""
        if not keys:
            return {}
        return {self.key_of(item): item for item in self._batch_get(keys)}


def target_tables(dynamo: Dynamo, roles: tuple[str, ...]) -> dict[str, TargetTable]:
    return {spec.role: TargetTable(dynamo, spec) for spec in table_specs(dynamo.settings)
            if spec.role in roles}
