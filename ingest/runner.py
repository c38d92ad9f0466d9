"""The sync schedule inside `cloudstro serve`: every few minutes, sync the accounts that are due.

"Due" is an account whose last sync is older than `ACCOUNT_EVERY` (or that never synced): new
posts then arrive within about an hour, and the refresh tiers inside each run decide which
posts are measured again. The same `due` + `sync one account` pair is what a cron job or,
on AWS, one queue message per account runs; here they run on a local thread pool.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from cloudstro.ingest.engine import AccountSyncResult, SyncEngine

ACCOUNT_EVERY = timedelta(hours=1)
log = logging.getLogger(__name__)


class SyncScheduler:
    """Runs one pass over due accounts every `interval_seconds` on a background thread."""

    def __init__(self, engine: SyncEngine, *, interval_seconds: float, workers: int,
                 every: timedelta = ACCOUNT_EVERY) -> None:
        if interval_seconds <= 0:
            raise ValueError("interval_seconds must be positive")
        self.engine = engine
        self.interval_seconds = interval_seconds
        self.workers = workers
        self.every = every
        self.passes = 0
        self.failures = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> list[AccountSyncResult]:
        """One pass: every due account, `workers` at a time."""
        results = self.engine.sync_many(self.engine.due_accounts(self.every),
                                        workers=self.workers)
        self.passes += 1
        for result in results:
            if result.status in ("error", "reauth_required"):
                # platform, status and the error's kind only: error texts stay in the summary
                log.warning("sync of a %s account ended %s", result.platform, result.status)
        return results

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="sync-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.engine.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception as exc:  # a store outage must not end the schedule
                self.failures += 1
                log.warning("sync pass failed: %s", type(exc).__name__)
            self._stop.wait(self.interval_seconds)


def start_sync_schedule(engine: SyncEngine) -> SyncScheduler:
    """The serve process's schedule, started, with the interval and pool size from settings."""
    settings = engine.settings
    scheduler = SyncScheduler(engine, interval_seconds=settings.sync_interval_s,
                              workers=settings.sync_workers)
    scheduler.start()
    return scheduler
