"""Putting work units on the work queue: the one way anything hands work to the batch worker.

The due-finder enqueues what a schedule found; a new connection enqueues its first sync. Both
need the same care: SQS takes ten messages per call and may refuse some entries of a batch
while accepting the rest, so refused entries are sent again and a batch that keeps being
refused fails loudly instead of losing work quietly.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from cloudstro.batch.jobs import WorkUnit

SQS_BATCH = 10  # SQS's limit of entries per SendMessageBatch
SEND_ATTEMPTS = 3


def enqueue(queue: Any, queue_url: str, units: Iterable[WorkUnit]) -> int:
    """Send every unit, ten per call; returns how many were sent."""
    return sum(_send(queue, queue_url, chunk) for chunk in _chunks(units, SQS_BATCH))


def _chunks(units: Iterable[WorkUnit], size: int) -> Iterator[list[WorkUnit]]:
    iterator = iter(units)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _send(queue: Any, queue_url: str, units: list[WorkUnit]) -> int:
    """Send one batch; entries SQS refuses are sent again, then the run fails loudly."""
    pending = {str(index): unit for index, unit in enumerate(units)}
    for _attempt in range(SEND_ATTEMPTS):
        response = queue.send_message_batch(QueueUrl=queue_url, Entries=[
            {"Id": entry_id, "MessageBody": unit.model_dump_json(exclude_none=True)}
            for entry_id, unit in pending.items()])
        pending = {failed["Id"]: pending[failed["Id"]] for failed in response.get("Failed", [])}
        if not pending:
            return len(units)
    raise RuntimeError(f"SQS refused {len(pending)} of {len(units)} messages "
                       f"{SEND_ATTEMPTS} times")
