"""Refreshing stored insights: one user, or every active user with bounded concurrency.

A refresh reads the user's profile, accounts and last year of posts, builds every insight in
memory (so bad data fails before anything is written), then writes them in one batch under
their deterministic ids, which replaces the previous ones in place. Engine insights the new
run no longer produces (a platform the user stopped posting on) are deleted afterwards, so
the partition never holds zero or two current insights of one (type, platform).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice

from pydantic import ValidationError

from cloudstro.insights.build import TIMING_WINDOW_DAYS, build_all, is_engine_id
from cloudstro.store import Store
from cloudstro.store.errors import StoreError

DEFAULT_WORKERS = 4
DEFAULT_BATCH = 50
FOLLOWER_ACCOUNTS_LIMIT = 50


@dataclass(frozen=True)
class UserRefresh:
    user_id: str
    written: list[str]
    removed: list[str]
    posts: int
    seconds: float


@dataclass(frozen=True)
class SkippedUser:
    user_id: str
    reason: str


@dataclass
class RefreshSummary:
    refreshed: list[UserRefresh] = field(default_factory=list)
    skipped: list[SkippedUser] = field(default_factory=list)
    elapsed_seconds: float = 0.0

    @property
    def insights_written(self) -> int:
        return sum(len(user.written) for user in self.refreshed)

    def text(self) -> str:
        return (f"users ok {len(self.refreshed)}, skipped {len(self.skipped)}, insights "
                f"written {self.insights_written}, elapsed {self.elapsed_seconds:.1f}s")


def followers_by_platform(store: Store, user_id: str) -> dict[str, int]:
    totals: dict[str, int] = {}
    for account in store.accounts.list_for_user(user_id, limit=FOLLOWER_ACCOUNTS_LIMIT):
        if account.followerCount is not None:  # unknown is left out, not counted as zero
            totals[account.platform] = totals.get(account.platform, 0) + account.followerCount
    return totals


def refresh_user(store: Store, user_id: str, now: datetime | None = None) -> UserRefresh:
    """Compute and store every insight of one user; raises on bad data, writing nothing."""
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    profile = store.users.require(user_id)
    posts = store.posts.list_in_period(user_id, now - timedelta(days=TIMING_WINDOW_DAYS), now)
    built = build_all(user_id, profile.zone, posts, followers_by_platform(store, user_id), now)
    before = [value for value in store.insights.ids_for_user(user_id) if is_engine_id(value)]
    store.insights.put_many(built)
    written = [insight.insightId for insight in built]
    stale = sorted(set(before) - set(written))
    for value in stale:
        store.insights.delete(user_id, value)
    return UserRefresh(user_id, written, stale, len(posts),
                       round(time.perf_counter() - started, 4))


def change_timezone(store: Store, user_id: str, timezone: str,
                    now: datetime | None = None) -> UserRefresh:
    """Set the user's timezone and recompute their stored insights in it straight away.

    Best hours are local hours: after a move, the stored "09:00" would be 09:00 of the old
    zone for up to VALID_FOR more days, served by the one-read path without a second look.
    Recomputing here (and recording the zone in each timing insight) keeps that path cheap
    and right.
    """
    store.users.set_timezone(user_id, timezone)
    return refresh_user(store, user_id, now)


def describe_failure(exc: Exception) -> str:
    """One line naming the problem, never a stack trace (and never a token: none is read)."""
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or exc.title
        return f"invalid stored data ({exc.title} {where}: {first['msg']})"
    return f"{type(exc).__name__}: {exc}"


def _batches(values: Iterator[str], size: int) -> Iterator[list[str]]:
    while batch := list(islice(values, size)):
        yield batch


def refresh_all(store: Store, *, workers: int = DEFAULT_WORKERS, batch_size: int = DEFAULT_BATCH,
                now: datetime | None = None,
                on_listed: Callable[[int], None] | None = None,
                on_done: Callable[[UserRefresh | SkippedUser], None] | None = None,
                ) -> RefreshSummary:
    """Every active user, `batch_size` ids at a time, at most `workers` users in flight.

    Ids are listed page by page and handed out in batches, so memory stays flat however many
    users there are. A user whose data cannot be read or analysed is recorded as skipped with
    the reason; the walk goes on. Errors reaching the user listing itself (no table, no
    endpoint) stop the run: nothing could be refreshed anyway.
    """
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    summary = RefreshSummary()
    # Build the repositories once, before any thread might race to create them.
    _ = (store.users, store.posts, store.accounts, store.insights)

    def one(user_id: str) -> UserRefresh | SkippedUser:
        try:
            return refresh_user(store, user_id, now)
        except (StoreError, ValueError, ValidationError) as exc:
            return SkippedUser(user_id, describe_failure(exc))
        except Exception as exc:  # one user's surprise must not end the walk
            return SkippedUser(user_id, f"unexpected {describe_failure(exc)}")

    with ThreadPoolExecutor(max_workers=max(1, workers),
                            thread_name_prefix="insights") as pool:
        for batch in _batches(store.users.iter_active_ids(), max(1, batch_size)):
            if on_listed:
                on_listed(len(batch))
            for outcome in pool.map(one, batch):
                if isinstance(outcome, UserRefresh):
                    summary.refreshed.append(outcome)
                else:
                    summary.skipped.append(outcome)
                if on_done:
                    on_done(outcome)
    summary.elapsed_seconds = round(time.perf_counter() - started, 3)
    return summary
