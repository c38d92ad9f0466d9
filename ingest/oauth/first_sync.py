"""The first sync of a newly connected account, started in the background.

The person is looking at the callback page, and a first sync reads up to 90 days of posts, so
the page must never wait for it: each connection gets one daemon thread running the ordinary
sync engine over the accounts it stored. Connections are rare (a person clicking), so a thread
each costs little; the engine's claim keeps it from running beside the schedule's own pass on
the same account. Only the platform and the outcome are logged.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from cloudstro.config import Clock, Settings, utc_now
from cloudstro.ingest.engine import AccountSyncResult, SyncEngine
from cloudstro.store import Store

if TYPE_CHECKING:
    from cloudstro.ingest.oauth.flow import Connection

log = logging.getLogger(__name__)


def sync_connection(store: Store, settings: Settings, connection: Connection, *,
                    clock: Clock = utc_now) -> list[AccountSyncResult]:
    """Sync each account of `connection` once, now (what the background thread runs)."""
    results = []
    with SyncEngine(store, settings, clock=clock) as engine:
        for account in connection.accounts:
            result = engine.sync_account(connection.user_id, account.platform,
                                         account.account_id)
            log.info("first sync of a %s account ended %s", account.platform, result.status)
            results.append(result)
    return results


def start_first_sync(store: Store, settings: Settings, connection: Connection, *,
                     clock: Clock = utc_now) -> threading.Thread:
    def run() -> None:
        try:
            sync_connection(store, settings, connection, clock=clock)
        except Exception as exc:  # the schedule syncs the account later; never crash a thread
            log.warning("first sync of a %s connection failed: %s", connection.platform,
                        type(exc).__name__)

    thread = threading.Thread(target=run, name=f"first-sync-{connection.platform}", daemon=True)
    thread.start()
    return thread
