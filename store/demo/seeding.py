"""Loading the demo data into the tables: a rerun adds or refreshes the demo's own items only.

A person's Slack link, digest settings, hand-connected accounts and posts stay: profiles and
accounts are refreshed attribute by attribute, and `store.demo.reseed` removes only what the
previous demo run wrote and this one does not.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cloudstro.store.demo.generator import generate_demo
from cloudstro.store.demo.reseed import (
    SORT_KEYS,
    Progress,
    delete_stale,
    generated_keys,
    previous_runs,
)
from cloudstro.store.records import iso_z

if TYPE_CHECKING:
    from cloudstro.store import Store


@dataclass
class SeedReport:
    counts: dict[str, int]           # items written, per table role
    pruned: dict[str, int]           # stale demo items deleted, per table role
    tables: dict[str, str]           # table role -> table name
    generate_seconds: float
    elapsed_seconds: float

    def summary(self) -> str:
        written = ", ".join(f"{count} {role}" for role, count in self.counts.items())
        stale = sum(self.pruned.values())
        return (f"wrote {written} in {self.elapsed_seconds:.1f}s "
                f"(generation {self.generate_seconds:.2f}s)"
                + (f"; removed {stale} stale demo items" if stale else ""))


def seed_demo(store: Store, users: int, days: int, seed: int, until: datetime | None = None,
              progress: Progress | None = None) -> SeedReport:
    """Write the demo data; a rerun adds or refreshes the demo's own items and nothing else.

    Profiles and accounts are refreshed attribute by attribute, so a Slack link, digest
    settings or sync state added since survive. Posts and snapshots are the demo's own and
    are written whole. Each demo user's partition remembers the arguments of the run that last
    seeded it (a small record on the runtime table), so the items that run generated and this
    one does not (snapshots whose keys carry older measurement times, another seed's
    platforms) are deleted, and nothing else is: an account connected by hand or a post added
    since is never touched, nor is any non-demo user. `cloudstro db reset` starts over.
    """
    started = clock.perf_counter()
    data = generate_demo(users, days, seed, until)
    generated = clock.perf_counter()
    report = progress or (lambda phase, done, total: None)

    user_ids = [profile.userId for profile in data.users]
    previously = generated_keys(previous_runs(store.demo_runs, user_ids))
    prepared = [store.accounts.prepare(account.fields, account.access_token,
                                       account.refresh_token) for account in data.accounts]
    counts = {
        "users": _one_by_one("users", data.users, store.users.refresh, report),
        "accounts": _one_by_one("accounts", prepared, store.accounts.refresh, report),
        "posts": _with_progress("posts", data.posts, store.posts.put_many, report),
        "engagement": _with_progress("engagement", data.snapshots, store.engagement.put_many,
                                     report),
    }
    now_generated = generated_keys([data])
    names = store.names
    pruned = {
        role: delete_stale(store, table_name, sorted(previously[role] - now_generated[role]),
                      SORT_KEYS[role], report)
        for role, table_name in (("accounts", names.accounts), ("posts", names.posts),
                                 ("engagement", names.engagement))
    }
    run = {"seed": seed, "days": days, "until": iso_z(data.until)}
    for user_id in user_ids:
        store.demo_runs.put(user_id, run)
    return SeedReport(
        counts=counts, pruned=pruned,
        tables={"users": names.users, "accounts": names.accounts, "posts": names.posts,
                "engagement": names.engagement},
        generate_seconds=round(generated - started, 3),
        elapsed_seconds=round(clock.perf_counter() - started, 3),
    )


def _one_by_one(phase: str, records: list[Any], refresh: Callable[[Any], None],
                report: Progress) -> int:
    total = len(records)
    report(phase, 0, total)
    for done, record in enumerate(records, 1):
        refresh(record)
        if done % 50 == 0 or done == total:
            report(phase, done, total)
    return total


def _with_progress(phase: str, items: list[Any], write: Callable[..., int],
                   report: Progress) -> int:
    total = len(items)
    done = 0
    report(phase, 0, total)

    def step(count: int) -> None:
        nonlocal done
        done += count
        report(phase, done, total)

    return write(items, step)
