"""Sync benchmark: what a first sync and a re-sync cost in platform requests and DynamoDB
capacity, and what the worker pool buys for `sync --all`.

Runs on DynamoDB Local (started here, in memory) against the local X stand-in from the test
suite on loopback; the clock is fixed, so every run asks the same questions.

1. First sync of one X account with 100 / 1,000 / 3,200 posts in the 90-day horizon: platform
   requests per post against the paging minimum (100 posts per page; the listing carries the
   metrics, so no metric batch is needed), DynamoDB write units per post (goal: one post and one
   snapshot), posts per second.
2. Re-sync of the 100- and 3,200-post accounts: with 0 new posts, with 10 new posts, and once
   the young posts are due a measurement: platform requests and DynamoDB reads.
3. `sync --all` of N accounts (20 posts each, 20 ms platform latency per request) with the
   worker pool against one account at a time.

    .venv/bin/python benchmarks/bench_sync.py [--accounts 200] [--workers 8]
"""

from __future__ import annotations

import argparse
import math
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from _harness import bench_store, heading, local_engine, markdown_table, note

from cloudstro.config import fixed_clock
from cloudstro.ingest import SyncEngine
from cloudstro.store import Store
from tests.support.standins import StandIns, start_standins
from tests.support.sync import connect, seed_posts

NOW = datetime(2026, 9, 1, 12, tzinfo=UTC)
ACCOUNT_IDS = {"twitter": "2244994945", "instagram": "17841400000000001",
               "facebook": "104000000000001", "tiktok": "open-1"}
WRITES = {"PutItem", "BatchWriteItem", "UpdateItem", "DeleteItem"}
READS = {"GetItem", "Query", "BatchGetItem", "Scan"}
# Requests on the accounts and runtime tables every run makes (account read, claim, release,
# sync state): listed apart so the post and snapshot figures stand alone.
BOOKKEEPING_TABLES = ("social-accounts", "runtime")


@dataclass
class Capacity:
    """DynamoDB requests and capacity units by kind, from botocore's after-call event."""

    requests: Counter[str] = field(default_factory=Counter)
    units: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))

    def record(self, http_response: Any, parsed: dict[str, Any], model: Any,
               **kwargs: Any) -> None:
        consumed = parsed.get("ConsumedCapacity") if isinstance(parsed, dict) else None
        entries = consumed if isinstance(consumed, list) else [consumed] if consumed else []
        for entry in entries:
            table = entry.get("TableName", "")
            kind = "book" if table.endswith(BOOKKEEPING_TABLES) else (
                "write" if model.name in WRITES else "read")
            self.units[kind] += float(entry.get("CapacityUnits", 0.0))
            self.requests[kind] += 1

    def reset(self) -> None:
        self.requests.clear()
        self.units.clear()


def engine_for(store: Store, standins: StandIns, now: datetime) -> SyncEngine:
    urls = {"twitter_api_url": standins.servers["twitter"].url}
    return SyncEngine(store, store.settings.model_copy(update=urls), clock=fixed_clock(now),
                      sleep=lambda _s: None)


def seed_account(store: Store, standins: StandIns, user_id: str, posts: int) -> None:
    state = standins.states["twitter"]
    state.posts.clear()
    spacing = timedelta(days=89) / max(posts, 1)
    seed_posts(state, posts, spacing=spacing)
    connect(store, state, "twitter", user_id=user_id, expires_in=timedelta(days=30))


def first_syncs(store: Store, standins: StandIns, meter: Capacity,
                sizes: tuple[int, ...]) -> None:
    heading("First sync of one X account")
    rows = []
    for size in sizes:
        user_id = f"bench_first_{size}"
        seed_account(store, standins, user_id, size)
        meter.reset()
        with engine_for(store, standins, NOW) as engine:
            started = time.perf_counter()
            result = engine.sync_account(user_id, "twitter", ACCOUNT_IDS["twitter"])
            elapsed = time.perf_counter() - started
        assert result.status == "ok" and result.new_posts == size, result
        rows.append([f"{size:,}", result.requests, math.ceil(size / 100),
                     f"{result.requests / size:.3f}", f"{meter.units['write'] / size:.2f}",
                     f"{meter.requests['write']}", f"{meter.units['read']:.1f}",
                     f"{meter.requests['book']}", f"{size / elapsed:,.0f}"])
    note(markdown_table(["posts", "platform requests", "paging minimum", "requests/post",
                         "write units/post", "write requests", "post read units",
                         "bookkeeping requests", "posts/s"], rows))


def resyncs(store: Store, standins: StandIns, meter: Capacity, sizes: tuple[int, ...]) -> None:
    heading("Re-sync: platform requests and DynamoDB reads")
    rows = []
    state = standins.states["twitter"]
    for size in sizes:
        user_id = f"bench_first_{size}"
        state.posts.clear()
        seed_posts(state, size, spacing=timedelta(days=89) / size)
        cases = [("0 new, nothing due", NOW + timedelta(minutes=30), 0),
                 ("10 new, nothing due", NOW + timedelta(hours=1), 10),
                 ("0 new, young posts due", NOW + timedelta(hours=4), 0)]
        for label, moment, new in cases:
            if new:
                seed_posts(state, new, newest=moment - timedelta(minutes=5),
                           spacing=timedelta(minutes=2), first_id=5_000_000)
            meter.reset()
            with engine_for(store, standins, moment) as engine:
                result = engine.sync_account(user_id, "twitter", ACCOUNT_IDS["twitter"])
            assert result.status == "ok", result
            rows.append([f"{size:,}", label, result.requests, result.new_posts,
                         result.updated_posts, meter.requests["read"],
                         f"{meter.units['read']:.1f}", meter.requests["write"],
                         f"{meter.units['write']:.1f}"])
    note(markdown_table(["history", "case", "platform requests", "new", "re-measured",
                         "post reads", "read units", "write requests", "write units"], rows))


def pool_versus_serial(store: Store, standins: StandIns, accounts: int, workers: int) -> None:
    heading(f"sync --all of {accounts} accounts: pool of {workers} against one at a time")
    state = standins.states["twitter"]
    state.posts.clear()
    seed_posts(state, 20, spacing=timedelta(hours=6))
    state.latency_s = 0.02
    timings = {}
    for label, count in (("serial", 1), ("pool", workers)):
        for number in range(accounts):
            connect(store, state, "twitter", user_id=f"bench_{label}_{number:04d}",
                    expires_in=timedelta(days=30))
        with engine_for(store, standins, NOW) as engine:
            views = [view for view in engine.active_accounts()
                     if view.userId.startswith(f"bench_{label}_")]
            started = time.perf_counter()
            results = engine.sync_many(views, workers=count)
            timings[label] = time.perf_counter() - started
        assert len(results) == accounts and all(r.status == "ok" for r in results)
    state.latency_s = 0.0
    ratio = timings["pool"] / timings["serial"]
    note(markdown_table(["mode", "accounts", "seconds", "accounts/s"],
                        [[label, accounts, f"{seconds:.1f}", f"{accounts / seconds:.1f}"]
                         for label, seconds in timings.items()]))
    note(f"\npool / serial time: {ratio:.2f} (goal <= 0.5)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--sizes", default="100,1000,3200")
    args = parser.parse_args()
    sizes = tuple(int(size) for size in args.sizes.split(","))
    with local_engine() as engine:
        store = bench_store(engine)
        meter = Capacity()
        store.dynamo.client.meta.events.register("after-call.dynamodb", meter.record)
        standins = start_standins(ACCOUNT_IDS)
        try:
            note(f"DynamoDB Local at {engine.endpoint}; X stand-in at "
                 f"{standins.servers['twitter'].url}; clock fixed at {NOW:%Y-%m-%d %H:%M} UTC")
            first_syncs(store, standins, meter, sizes)
            resyncs(store, standins, meter, (sizes[0], sizes[-1]))
            pool_versus_serial(store, standins, args.accounts, args.workers)
        finally:
            standins.stop()


if __name__ == "__main__":
    main()
