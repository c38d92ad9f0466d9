"""The batch jobs on AWS Lambda: a due-finder the schedules invoke, a worker SQS invokes.

`find_due` receives the schedule's input (`{"job": "sync" | "insights" | "digest",
"scheduledAt": ...}`), lists what is due and sends one SQS message per unit (ten per call,
SQS's batch limit, re-sending any entry SQS refused). `work` receives a batch of those
messages, runs each unit and reports the ones to retry as `batchItemFailures`, so SQS redrives
only those (the event source mapping enables `ReportBatchItemFailures`); after three receives
a unit lands in the dead-letter queue, where an alarm watches.

Handlers: `cloudstro.batch.lambda_handler.find_due` and `cloudstro.batch.lambda_handler.work`.
The store and the jobs are built on the first invocation and kept for the container's life.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from pydantic import ValidationError

from cloudstro.batch.jobs import BatchJobs, ScheduledRun, WorkUnit
from cloudstro.batch.queue import enqueue
from cloudstro.config import Settings, get_settings, utc_now

log = logging.getLogger("cloudstro.batch")

_jobs: BatchJobs | None = None
_queue: Any = None
_lock = threading.Lock()


def configure(jobs: BatchJobs, queue_client: Any) -> None:
    """Use these jobs and this SQS client (tests; a cold start builds its own)."""
    global _jobs, _queue
    with _lock:
        _jobs, _queue = jobs, queue_client


def _runtime() -> tuple[BatchJobs, Any]:
    global _jobs, _queue
    with _lock:
        if _jobs is None:
            import boto3

            from cloudstro.config.secrets import load_secret_into_environment
            from cloudstro.store import Store

            logging.basicConfig(level=logging.INFO)
            load_secret_into_environment()
            settings = get_settings().for_batch()
            _jobs = BatchJobs(Store(settings=settings), settings)
            _queue = boto3.client("sqs", region_name=settings.aws_region)
        return _jobs, _queue


def find_due(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Enqueue every due unit of the scheduled job; returns counts, never user data."""
    run = ScheduledRun.model_validate(event)
    jobs, queue = _runtime()
    queue_url = _queue_url(jobs.settings)
    now = run.scheduledAt or utc_now()
    sent = enqueue(queue, queue_url, jobs.due(run.job, now))
    log.info("%s: %d units enqueued", run.job, sent)
    return {"job": run.job, "enqueued": sent}


def work(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Run each message's unit; answer the partial-batch response SQS expects."""
    jobs, _ = _runtime()
    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        message_id = record["messageId"]
        try:
            unit = WorkUnit.model_validate_json(record["body"])
        except ValidationError:  # never valid on a later try either: let it reach the DLQ
            log.error("message %s is not a work unit", message_id)
            failures.append({"itemIdentifier": message_id})
            continue
        try:
            outcome = jobs.run(unit)
        except Exception:  # one unit's surprise must not fail the batch's other units
            log.exception("%s unit failed unexpectedly", unit.job)
            failures.append({"itemIdentifier": message_id})
            continue
        log.info("%s unit: %s", unit.job, outcome.status)
        if outcome.retry:
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}


def _queue_url(settings: Settings) -> str:
    if not settings.work_queue_url:
        raise RuntimeError("CLOUDSTRO_WORK_QUEUE_URL is not set: the due-finder has no queue")
    return settings.work_queue_url
