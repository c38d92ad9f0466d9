"""Reseeding: which demo items the last run wrote that this run does not, and removing them.

Snapshot keys carry their measurement time, so they move with `until`, and another seed picks
other platforms: a rerun would otherwise leave the old run's items beside the new ones. Each
demo user's last arguments are kept on the runtime table (`Store.demo_runs`); since generation
is pure, those arguments are enough to know every key that run wrote, and only those keys are
ever deleted, never a person's own accounts or posts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from cloudstro.store.demo.generator import DEMO_USER_PREFIX, DemoData, generate_demo

if TYPE_CHECKING:
    from cloudstro.store import Store
    from cloudstro.store.runtime import DemoRunsRepository

Progress = Callable[[str, int, int], None]

SORT_KEYS = {"accounts": "platformAccountId", "posts": "postId", "engagement": "engagementId"}
ItemKey = tuple[str, str]


def previous_runs(runs: DemoRunsRepository, user_ids: list[str]) -> list[DemoData]:
    """What the last run wrote in each of these users' partitions, generated again.

    Generation is pure, so a run's arguments are enough to know every key it wrote. Users
    seeded with the same arguments share one generation; a user never seeded before (or
    seeded before runs were remembered) contributes nothing, so nothing of theirs is deleted.
    """
    by_run: dict[tuple[int, int, str], set[str]] = defaultdict(set)
    for user_id in user_ids:
        record = runs.get(user_id)
        if record:
            by_run[(int(record["seed"]), int(record["days"]), str(record["until"]))].add(user_id)
    previous = []
    for (seed, days, until), members in by_run.items():
        count = 1 + max(int(user_id.removeprefix(DEMO_USER_PREFIX)) for user_id in members)
        demo = generate_demo(count, days, seed, datetime.fromisoformat(until))
        demo.users = [profile for profile in demo.users if profile.userId in members]
        demo.accounts = [a for a in demo.accounts if a.fields["userId"] in members]
        demo.posts = [post for post in demo.posts if post.userId in members]
        demo.snapshots = [s for s in demo.snapshots if s.userId in members]
        previous.append(demo)
    return previous


def generated_keys(runs: list[DemoData]) -> dict[str, set[ItemKey]]:
    keys: dict[str, set[ItemKey]] = {role: set() for role in SORT_KEYS}
    for demo in runs:
        keys["accounts"] |= {(a.fields["userId"], f"{a.fields['platform']}#{a.fields['accountId']}")
                             for a in demo.accounts}
        keys["posts"] |= {(post.userId, post.postId) for post in demo.posts}
        keys["engagement"] |= {(s.userId, s.engagementId) for s in demo.snapshots}
    return keys


def delete_stale(store: Store, table_name: str, stale: list[ItemKey], sort_key: str,
            report: Progress) -> int:
    """Delete items the previous demo run wrote and this one does not."""
    if not stale:
        return 0
    table = store.dynamo.table(table_name)
    phase = f"prune {table_name.rsplit('-', 1)[-1]}"
    report(phase, 0, len(stale))
    with store.dynamo.translate_errors(table_name), table.batch_writer() as batch:
        for done, (user_id, sort_value) in enumerate(stale, 1):
            batch.delete_item(Key={"userId": user_id, sort_key: sort_value})
            if done % 100 == 0 or done == len(stale):
                report(phase, done, len(stale))
    return len(stale)
