"""Where a migration stands, kept in the runtime table so a killed run resumes where it stopped.

Under `migration_progress_key(source)` one record (`SK=RUN`) says how the run was started
(segment count, mapping fingerprint) and one record per segment (`SK=SEGMENT#0003`) holds the
key after its last finished page and the counts so far. A page's progress is recorded only
after every one of its writes succeeded, so a resumed run re-reads at most the page it was
killed in, and re-writing that page is harmless (puts on the target's own keys).

The records carry no expiry: they are a few small items per migration, and a finished run's
records stay as the account of what it did.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from cloudstro.config import Clock
from cloudstro.store.dynamo import Dynamo
from cloudstro.store.errors import MigrationError
from cloudstro.store.migration.report import Tally
from cloudstro.store.migration.source import key_from_text, key_to_text
from cloudstro.store.records import iso_z
from cloudstro.store.runtime import RuntimeRecords
from cloudstro.store.runtime_keys import migration_progress_key

RUN_SK = "RUN"


def segment_sk(segment: int) -> str:
    return f"SEGMENT#{segment:04d}"


@dataclass
class SegmentState:
    """A segment's place: the key to start after (None: from the start) and its counts."""

    segment: int
    start_key: dict[str, Any] | None = None
    done: bool = False
    tally: Tally = field(default_factory=Tally)


class ProgressBook:
    """Reads and writes one source table's progress records."""

    def __init__(self, dynamo: Dynamo, runtime_table: str, source: str, clock: Clock) -> None:
        self._records = RuntimeRecords(dynamo, runtime_table)
        self._pk = migration_progress_key(source)
        self._source = source
        self._clock = clock
        # Segments finish pages on their own threads; a boto3 resource is not thread-safe.
        self._lock = threading.Lock()

    def start(self, segments: int, fingerprint: str) -> list[SegmentState]:
        """A fresh run: every segment from the beginning, whatever an older run left."""
        states = [SegmentState(number) for number in range(segments)]
        self._put(RUN_SK, {"totalSegments": segments, "mapping": fingerprint})
        for state in states:
            self.save(state)
        return states

    def resume(self, segments: int, fingerprint: str) -> list[SegmentState] | None:
        """The interrupted run's segments, or None when there is nothing to resume."""
        run = self._records.get_record(self._pk, RUN_SK)
        if run is None:
            return None
        recorded = int(run.get("totalSegments", 0))
        if recorded != segments:
            raise MigrationError(
                f"the migration of {self._source!r} was started with {recorded} segment(s); "
                f"resume it with --segments {recorded}")
        if run.get("mapping") != fingerprint:
            raise MigrationError(
                f"the migration of {self._source!r} was started with another mapping; resume "
                "it with the same mapping file, or start again without --resume")
        states = []
        for number in range(segments):
            record = self._records.get_record(self._pk, segment_sk(number)) or {}
            last_key = record.get("lastKey")
            states.append(SegmentState(number, key_from_text(last_key) if last_key else None,
                                       bool(record.get("done")),
                                       Tally.from_dict(record.get("tally") or {})))
        return states

    def save(self, state: SegmentState) -> None:
        attributes: dict[str, Any] = {"done": state.done, "tally": state.tally.as_dict()}
        if state.start_key:
            attributes["lastKey"] = key_to_text(state.start_key)
        self._put(segment_sk(state.segment), attributes)

    def _put(self, sk: str, attributes: dict[str, Any]) -> None:
        with self._lock:
            self._records.put_record(self._pk, sk,
                                     {**attributes, "updatedAt": iso_z(self._clock())})
