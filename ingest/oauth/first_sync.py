"""The first sync of a newly connected account, started without keeping the person waiting.

The person is looking at the callback page, and a first sync reads up to 90 days of posts, so
the page must never wait for it. Where the batch worker's queue is configured
(`CLOUDSTRO_WORK_QUEUE_URL`, as on AWS), each account becomes one sync unit on that queue: a
Lambda function is frozen the moment its response is sent, so a thread started there might not
run until some later request thaws it, or ever. Elsewhere (a server, the CLI) each connection
gets one daemon thread running the ordinary sync engine; connections are rare (a person
clicking), so a thread each costs little. Either way the engine's claim keeps the first sync
from running beside the schedule's own pass on the same account, and a first sync that cannot
be started is only late: the schedule's next pass syncs every active account. Only the
platform and the outcome are logged.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from cloudstro.batch.jobs import WorkUnit
from cloudstro.batch.queue import enqueue
from cloudstro.config import Clock, Settings, utc_now
from cloudstro.ingest.engine import AccountSyncResult, SyncEngine
from cloudstro.store import Store

if TYPE_CHECKING:
    from cloudstro.ingest.oauth.flow import Connection

log = logging.getLogger(__name__)
# Bounded like every other AWS call on a request path: the callback page must not hang on SQS.
QUEUE_CONNECT_TIMEOUT_S, QUEUE_READ_TIMEOUT_S, QUEUE_ATTEMPTS = 1.0, 2.0, 2


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
                     clock: Clock = utc_now) -> threading.Thread | None:
    """Hand the connection's accounts to the work queue if there is one, else to a thread
    (returned, so a caller may wait for it)."""
    if settings.work_queue_url:
        enqueue_first_sync(settings, connection, clock=clock)
        return None

    def run() -> None:
        try:
            sync_connection(store, settings, connection, clock=clock)
        except Exception as exc:  # the schedule syncs the account later; never crash a thread
            log.warning("first sync of a %s connection failed: %s", connection.platform,
                        type(exc).__name__)

    thread = threading.Thread(target=run, name=f"first-sync-{connection.platform}", daemon=True)
    thread.start()
    return thread


def enqueue_first_sync(settings: Settings, connection: Connection, *,
                       clock: Clock = utc_now) -> int:
    """One sync unit per account on the work queue; returns how many were queued (0 when SQS
    refused them, which leaves the account to the schedule rather than failing a connection
    that is already stored)."""
    queue_url = settings.work_queue_url
    if not queue_url:
        return 0
    now = clock()
    units = [WorkUnit(job="sync", userId=connection.user_id, platform=account.platform,
                      accountId=account.account_id, scheduledAt=now)
             for account in connection.accounts]
    try:
        sent = enqueue(_queue_client(settings), queue_url, units)
    except Exception as exc:  # SQS down or refusing: the schedule's next pass syncs it
        log.warning("first sync of a %s connection not queued: %s", connection.platform,
                    type(exc).__name__)
        return 0
    log.info("first sync of a %s connection queued: %d account(s)", connection.platform, sent)
    return sent


def _queue_client(settings: Settings) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client("sqs", region_name=settings.aws_region, config=Config(
        connect_timeout=QUEUE_CONNECT_TIMEOUT_S, read_timeout=QUEUE_READ_TIMEOUT_S,
        retries={"max_attempts": QUEUE_ATTEMPTS, "mode": "standard"}))
