"""Migration benchmark: how fast `db migrate-from-pksk` moves a generic PK/SK table, with 1, 2
and 4 Scan segments, and what it costs in write units per item against the minimum.

Runs on DynamoDB Local (started here, in memory). The legacy table is the test suite's
generator scaled up (per user: a profile, two accounts with plaintext tokens, 30 posts, two
snapshots per post, two insights), loaded once; every run migrates it into fresh target tables.

Write units are DynamoDB's own ConsumedCapacity, asked for per table and index (`INDEXES`).
The minimum is one unit per KB (rounded up) of each target item in its table; writes to the
indexes the schema defines (a post lands in its table, one global and one local index) are
shown apart, since any writer of that schema pays them. Run bookkeeping (progress records on
the runtime table, reads of existing accounts for token handling) is shown apart too.

    .venv/bin/python benchmarks/bench_migrate.py [--items 100000] [--segments 1,2,4]
"""

from __future__ import annotations

import argparse
import math
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from _harness import bench_store, heading, item_size, local_engine, markdown_table, note

from cloudstro.store import Store
from cloudstro.store.codec import from_item
from cloudstro.store.migration import MigrationOptions, MigrationReport, migrate
from cloudstro.store.tables import table_specs
from tests.migration.legacy import create_source, generate, load_source

POSTS_PER_USER = 30
ITEMS_PER_USER = 5 + 3 * POSTS_PER_USER
KB = 1024


class WriteUnits:
    """Write units by table role and by table/index, from BatchWriteItem and PutItem answers."""

    def __init__(self, store: Store) -> None:
        self.roles = {spec.name: spec.role for spec in table_specs(store.settings)}
        self.table: defaultdict[str, float] = defaultdict(float)
        self.indexes: defaultdict[str, float] = defaultdict(float)
        self.cpu_seconds = 0.0  # this process's CPU time over the run (mapping, validation,
        # encryption, (de)serialisation), the migration's own share of the wall time
        client = store.dynamo.client
        for operation in ("BatchWriteItem", "PutItem"):
            client.meta.events.register(f"provide-client-params.dynamodb.{operation}",
                                        self._ask)
            client.meta.events.register(f"after-call.dynamodb.{operation}", self._record)

    @staticmethod
    def _ask(params: dict[str, Any], **_: Any) -> None:
        params["ReturnConsumedCapacity"] = "INDEXES"

    def _record(self, parsed: dict[str, Any], **_: Any) -> None:
        consumed = parsed.get("ConsumedCapacity") or []
        for entry in consumed if isinstance(consumed, list) else [consumed]:
            role = self.roles.get(entry.get("TableName", ""), "source")
            table_units = entry.get("Table", {}).get("CapacityUnits")
            self.table[role] += float(table_units if table_units is not None
                                      else entry.get("CapacityUnits", 0.0))
            for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
                for index in (entry.get(kind) or {}).values():
                    self.indexes[role] += float(index.get("CapacityUnits", 0.0))


def seed_source(store: Store, name: str, items: int) -> int:
    """The legacy table with about `items` items, loaded by four writers side by side."""
    users = max(1, math.ceil(items / ITEMS_PER_USER))
    legacy = generate(users=users, posts_per_user=POSTS_PER_USER, malformed=False)
    create_source(store.dynamo, name)
    chunks = [legacy.items[start:start + 2_000] for start in range(0, len(legacy.items), 2_000)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda chunk: load_source(store.dynamo, name, chunk), chunks))
    return len(legacy.items)


def minimum_units(store: Store) -> tuple[int, int]:
    """(target items, the fewest write units their tables could bill: 1 per started KB)."""
    count = units = 0
    for spec in table_specs(store.settings):
        if spec.role not in ("users", "accounts", "posts", "engagement", "insights"):
            continue
        params: dict[str, Any] = {"TableName": spec.name}
        while True:
            page = store.dynamo.client.scan(**params)
            for item in page["Items"]:
                count += 1
                units += max(1, math.ceil(item_size(from_item(item)) / KB))
            if "LastEvaluatedKey" not in page:
                break
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return count, units


def run_once(engine: Any, source_store: Store, source: str, segments: int
             ) -> tuple[MigrationReport, WriteUnits, Store]:
    store = bench_store(engine)  # fresh target tables under their own prefix
    units = WriteUnits(store)
    cpu = time.process_time()
    report = migrate(store, MigrationOptions(source=source, segments=segments,
                                             sample_size=50))
    units.cpu_seconds = time.process_time() - cpu
    return report, units, store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000,
                        help="legacy items to migrate (default 100,000)")
    parser.add_argument("--segments", default="1,2,4", help="segment counts to compare")
    args = parser.parse_args()
    segment_counts = [int(value) for value in args.segments.split(",")]
    with local_engine() as engine:
        source_store = bench_store(engine)
        source = f"{source_store.names.users}-legacy"
        note(f"DynamoDB Local at {engine.endpoint}")
        started = time.perf_counter()
        loaded = seed_source(source_store, source, args.items)
        note(f"legacy table: {loaded:,} items loaded in {time.perf_counter() - started:.1f}s")

        heading(f"Migrating {loaded:,} legacy items")
        rows = []
        costs = None
        for segments in segment_counts:
            report, units, store = run_once(engine, source_store, source, segments)
            verified = report.verification is not None and report.verification.ok
            cpu_ms = units.cpu_seconds * 1000 / max(report.scanned_this_run, 1)
            rows.append([segments, f"{report.scanned_this_run:,}", f"{report.seconds:.1f}",
                         f"{report.items_per_second:,.0f}", f"{cpu_ms:.2f}",
                         "yes" if verified else "NO"])
            note(f"  {segments} segment(s): {report.items_per_second:,.0f} items/s")
            costs = costs or (units, store, report)
        note(markdown_table(["segments", "items", "seconds", "items/s",
                             "client CPU ms/item", "verified"], rows))

        assert costs is not None
        units, store, report = costs
        heading("Write units per migrated item")
        targets, minimum = minimum_units(store)
        migrated = sum(report.tally.written.values())
        base = sum(units.table[role] for role in report.tally.written)
        index = sum(units.indexes[role] for role in report.tally.written)
        book = units.table["runtime"]
        note(markdown_table(
            ["", "write units", "per item"],
            [["minimum (1 per started KB of each target item)", f"{minimum:,}",
              f"{minimum / max(targets, 1):.3f}"],
             ["target tables", f"{base:,.0f}", f"{base / max(migrated, 1):.3f}"],
             ["their indexes (GSI + LSI, schema's cost)", f"{index:,.0f}",
              f"{index / max(migrated, 1):.3f}"],
             ["progress records (runtime table)", f"{book:,.0f}",
              f"{book / max(migrated, 1):.4f}"]]))
        note(f"\n{migrated:,} records written, {targets:,} in the target tables; "
             f"base-table units / minimum: {base / max(minimum, 1):.3f}")


if __name__ == "__main__":
    main()
