"""One migration run: scan the legacy table in parallel segments, turn each item into a record,
write the records page by page, and record each finished page so the run can resume.

Every record is built by its record model's strict write path, the same as the product's own
writes, so derived and index attributes (`platform`, `accountStatus` from `isActive`,
`insightType`, `confidenceScore` as a number, `postId`, `TTL`, ...) are exactly what the product
would have written. An item that cannot become a valid record is quarantined with the reason,
never dropped and never written half-right.

A page is the unit of progress: its records are written (every batch acknowledged, unprocessed
items retried), its quarantined items recorded, and only then its `LastEvaluatedKey` saved. A
failure in one segment stops the others at their next page boundary and is raised; the next
run with `resume=True` starts every segment after its last saved page.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cloudstro.config import Clock, utc_now
from cloudstro.store.connection import Store
from cloudstro.store.crypto import TokenCipher, make_cipher
from cloudstro.store.errors import TokenDecryptionError
from cloudstro.store.migration.mapping import (
    DEFAULT_MAPPING,
    INVALID,
    TARGET_MODELS,
    TARGET_ROLES,
    TOKEN_UNREADABLE,
    Mapped,
    Mapping,
    Rejected,
)
from cloudstro.store.migration.progress import ProgressBook, SegmentState
from cloudstro.store.migration.quarantine import QuarantineFile
from cloudstro.store.migration.report import MigrationReport, Tally
from cloudstro.store.migration.source import Page, describe_source, scan_segment
from cloudstro.store.migration.targets import TargetTable, target_tables
from cloudstro.store.migration.tokens import settle_tokens
from cloudstro.store.migration.verify import Sample, verify


@dataclass(frozen=True)
class MigrationOptions:
    source: str
    segments: int = 4
    dry_run: bool = False
    resume: bool = False
    mapping: Mapping = DEFAULT_MAPPING
    quarantine_file: Path | None = None
    # Items per Scan page (None: DynamoDB's 1 MB pages); smaller pages resume more finely.
    page_size: int | None = None
    sample_size: int = 50
    verify: bool = True


class _Stopped(Exception):
    """Another segment failed: this one ends at its page boundary."""


@dataclass
class _Context:
    store: Store
    options: MigrationOptions
    tables: dict[str, TargetTable]
    cipher: TokenCipher
    quarantine: QuarantineFile
    progress: ProgressBook | None
    sample: Sample
    stop: threading.Event
    on_items: Callable[[int], None]
    after_page: Callable[[Page], None]


def migrate(store: Store, options: MigrationOptions, *, clock: Clock = utc_now,
            on_items: Callable[[int], None] | None = None,
            after_page: Callable[[Page], None] | None = None,
            kms_client: Any | None = None) -> MigrationReport:
    """Run (or resume) the migration of `options.source` into the store's tables.

    `on_items` hears how many source items each finished page held (the progress line);
    `after_page` runs after a page is recorded (tests use it to interrupt a run).
    """
    if options.segments < 1:
        raise ValueError("segments must be at least 1")
    describe_source(store.dynamo, options.source)
    fingerprint = mapping_fingerprint(options.mapping)
    progress = None if options.dry_run else ProgressBook(
        store.dynamo, store.names.runtime, options.source, clock)
    states = progress.resume(options.segments, fingerprint) if (
        progress and options.resume) else None
    resumed = states is not None
    if states is None:
        states = (progress.start(options.segments, fingerprint) if progress
                  else [SegmentState(number) for number in range(options.segments)])
    context = _Context(
        store=store, options=options, tables=target_tables(store.dynamo, TARGET_ROLES),
        cipher=make_cipher(store.settings, kms_client),
        quarantine=QuarantineFile(options.quarantine_file, options.mapping, append=resumed),
        progress=progress, sample=Sample(options.sample_size), stop=threading.Event(),
        on_items=on_items or (lambda _count: None),
        after_page=after_page or (lambda _page: None))
    before = sum(state.tally.scanned for state in states)
    started = time.perf_counter()
    pending = [state for state in states if not state.done]
    pool = ThreadPoolExecutor(max_workers=max(1, len(pending)), thread_name_prefix="migrate")
    try:
        futures = [pool.submit(_run_segment, context, state) for state in pending]
        errors = [future.exception() for future in futures]
    except BaseException:  # Ctrl-C: every segment stops at its page boundary, progress saved
        context.stop.set()
        raise
    finally:
        pool.shutdown(wait=True)
        context.quarantine.close()
    failures = [error for error in errors if error and not isinstance(error, _Stopped)]
    if failures:
        raise failures[0]
    seconds = time.perf_counter() - started
    total = Tally()
    for state in states:
        total.add(state.tally)
    report = MigrationReport(options.source, options.segments, options.dry_run, resumed, total,
                             seconds, total.scanned - before, options.quarantine_file)
    if options.verify and not options.dry_run:
        report.verification = verify(context.tables, total, context.sample)
    return report


def mapping_fingerprint(mapping: Mapping) -> str:
    """A short digest of the mapping: a resume must map the rest as the start mapped the rest."""
    return hashlib.sha256(mapping.model_dump_json().encode()).hexdigest()[:16]


def _run_segment(context: _Context, state: SegmentState) -> None:
    options = context.options
    pages = scan_segment(context.store.dynamo, options.source, state.segment, options.segments,
                         start_key=state.start_key, first_number=state.tally.pages + 1,
                         page_size=options.page_size)
    try:
        for page in pages:
            if context.stop.is_set():
                raise _Stopped
            state.tally.add(_migrate_page(context, page))
            state.start_key = page.last_key
            state.done = page.last_key is None
            if context.progress:
                context.progress.save(state)
            context.on_items(len(page.items))
            context.after_page(page)
    except BaseException:
        context.stop.set()
        raise


def _migrate_page(context: _Context, page: Page) -> Tally:
    """Map, validate and write one page; returns its counts."""
    tally = Tally(scanned=len(page.items), pages=1)
    mapping = context.options.mapping
    mapped: list[tuple[Mapped, dict[str, Any]]] = []
    for item in page.items:
        result = mapping.map_item(item)
        if result.shape is not None:
            tally.shapes[result.shape.name] += 1
        if isinstance(result, Rejected):
            _quarantine(context, tally, result, item)
        else:
            mapped.append((result, item))
    existing_accounts = _existing_accounts(context, [entry for entry, _ in mapped
                                                     if entry.shape.target == "accounts"])
    records: dict[str, list[dict[str, Any]]] = {}
    for entry, item in mapped:
        record = _record(context, entry, existing_accounts)
        if isinstance(record, Rejected):
            _quarantine(context, tally, record, item)
        else:
            records.setdefault(entry.shape.target, []).append(record)
    for role, items in records.items():
        table = context.tables[role]
        if context.options.dry_run:
            tally.written[role] += len({table.key_of(item) for item in items})
            continue
        tally.written[role] += table.write(items)
        for item in items:
            context.sample.offer(role, item)
    return tally


def _record(context: _Context, entry: Mapped,
            existing_accounts: dict[tuple[Any, ...], dict[str, Any]]
            ) -> dict[str, Any] | Rejected:
    """The item to store for a mapped source item, built by its record model's write path."""
    data = dict(entry.data)
    kept: dict[str, Any] = {}
    if entry.shape.target == "accounts":
        key = (data.get("userId"), f"{data.get('platform')}#{data.get('accountId')}")
        try:
            kept = settle_tokens(data, existing_accounts.get(key), context.cipher)
        except TokenDecryptionError as exc:
            return Rejected(TOKEN_UNREADABLE, str(exc), entry.shape)
    try:
        record = TARGET_MODELS[entry.shape.target].model_validate(data)
    except ValidationError as exc:
        return Rejected(INVALID, _problems(exc), entry.shape)
    return {**record.to_record(), **kept}


def _existing_accounts(context: _Context, accounts: list[Mapped]
                       ) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The target's current items for these accounts (a dry run reads nothing of the target)."""
    if context.options.dry_run or not accounts:
        return {}
    keys = [{"userId": entry.data["userId"],
             "platformAccountId": f"{entry.data['platform']}#{entry.data['accountId']}"}
            for entry in accounts]
    return context.tables["accounts"].existing(keys)


def _quarantine(context: _Context, tally: Tally, rejected: Rejected,
                item: dict[str, Any]) -> None:
    tally.quarantined[rejected.reason] += 1
    context.quarantine.add(rejected.reason, rejected.detail, rejected.shape, item)


def _problems(error: ValidationError) -> str:
    """Which attributes failed and why, in the record model's words (its messages name the
    rule, and at most a timestamp or key; the item itself is beside it in the file)."""
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'record'}: {e['msg']}"
                     for e in error.errors()[:5])
