"""Sending every digest that is due, exactly once per user and period, from any number of runs.

Exactly once rests on one conditional write per (user, period) in the runtime table
(`Store.claims`, keys from `store.runtime_keys`): a run builds the digest, then claims the
period with a lease, posts, and marks the claim done (kept ~60 days). Two runs racing for a
user: one claim write wins, the other run drops its copy. A run that dies after claiming leaves
a claim that is not done; once its lease has passed, the next run takes it over and sends. The
one window left is a crash in the instant between Slack accepting the message and the claim
being marked done; a takeover then sends a second copy, which is the price of never silently
losing a digest.

A claim is read before any work, so a run over users whose digests already went out only
reads; `DigestScheduler` also remembers, in memory, which periods it has seen finished, so
its minute-by-minute ticks skip those users without touching DynamoDB at all.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from langchain_core.language_models.chat_models import BaseChatModel
from pydantic import ValidationError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from cloudstro.digests.blocks import digest_blocks
from cloudstro.digests.chart import render_heatmap
from cloudstro.digests.content import build_digest
from cloudstro.digests.delivery import destination, post_message, upload_chart
from cloudstro.digests.gather import digest_key, previous_digest_key
from cloudstro.digests.schedule import Occurrence, latest_occurrence
from cloudstro.digests.summary import summarize
from cloudstro.store import Store
from cloudstro.store.claims import ClaimsRepository
from cloudstro.store.records import UserProfile, iso_z

log = logging.getLogger("cloudstro.digests")

LEASE_SECONDS = 600  # how long a claimed-but-unsent digest blocks other runs
KEEP_SENT_DAYS = 60  # how long "sent" is remembered (the runtime table's TTL removes it after)
DEFAULT_WORKERS = 4
NO_DESTINATION = "no linked Slack user and no digest channel"

Status = str  # "sent" | "already_sent" | "in_progress" | "lost_race" | "skipped" | "failed"


@dataclass(frozen=True)
class UserOutcome:
    user_id: str
    status: Status
    period: str = ""
    detail: str = ""


@dataclass
class RunReport:
    now: datetime
    users_seen: int = 0
    due: int = 0
    outcomes: list[UserOutcome] = field(default_factory=list)
    elapsed_seconds: float = 0.0

    def with_status(self, status: Status) -> list[UserOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == status]

    @property
    def sent(self) -> list[UserOutcome]:
        return self.with_status("sent")

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(outcome.status for outcome in self.outcomes))

    def text(self) -> str:
        counts = ", ".join(f"{status} {count}" for status, count in sorted(self.counts.items()))
        return (f"{iso_z(self.now)}: {self.users_seen} active users, {self.due} with a digest "
                f"due; {counts or 'nothing to do'}; {self.elapsed_seconds:.1f}s")


@dataclass
class _Run:
    store: Store
    client: WebClient
    claims: ClaimsRepository
    now: datetime
    model: BaseChatModel | None
    lease_seconds: int
    keep_days: int


def run_due(store: Store, slack_client: WebClient, now: datetime, *,
            claims: ClaimsRepository | None = None, workers: int = DEFAULT_WORKERS,
            model: BaseChatModel | None = None, lease_seconds: int = LEASE_SECONDS,
            keep_days: int = KEEP_SENT_DAYS, memo: dict[str, str] | None = None) -> RunReport:
    """Send every digest due at `now` (timezone-aware); per-user failures never stop the run.

    `memo` (user id -> occurrence key known to be finished) lets a long-lived caller skip
    users it has already seen done; it is an optimisation only, the claim decides.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (add 'Z' or an offset)")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    started = time.perf_counter()
    run = _Run(store, slack_client, claims or store.claims, now.astimezone(UTC), model,
               lease_seconds, keep_days)
    report = RunReport(now=run.now)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="digest") as pool:
        pending = []
        def invalid(user_id: str, error: ValidationError) -> None:
            report.users_seen += 1
            fields = ", ".join(".".join(map(str, e["loc"])) for e in error.errors()[:3])
            report.outcomes.append(UserOutcome(user_id, "failed", "",
                                               f"invalid profile ({fields})"))

        for profile in store.users.iter_active(on_invalid=invalid):
            report.users_seen += 1
            prefs = profile.digest
            if prefs is None or not prefs.enabled:
                continue
            occurrence = latest_occurrence(prefs, profile.zone, run.now)
            if occurrence is None:
                continue
            report.due += 1
            if memo is not None and memo.get(profile.userId) == occurrence.key:
                continue
            target = destination(profile)
            if target is None:
                report.outcomes.append(UserOutcome(profile.userId, "skipped", occurrence.key,
                                                   NO_DESTINATION))
                continue
            pending.append((profile.userId, occurrence,
                            pool.submit(_deliver, run, profile, occurrence, target)))
        for user_id, occurrence, future in pending:
            outcome = future.result()
            report.outcomes.append(outcome)
            if memo is not None and outcome.status in ("sent", "already_sent"):
                memo[user_id] = occurrence.key
    report.elapsed_seconds = round(time.perf_counter() - started, 3)
    return report


def _deliver(run: _Run, profile: UserProfile, occurrence: Occurrence, target: str
             ) -> UserOutcome:
    user_id, period = profile.userId, occurrence.key
    key = digest_key(user_id, occurrence)
    try:
        existing = run.claims.get_claim(key)
        if existing is not None:
            if existing.get("done"):
                return UserOutcome(user_id, "already_sent", period)
            if int(existing.get("expiresAt", 0)) >= int(time.time()):
                return UserOutcome(user_id, "in_progress", period,
                                   "another run holds this digest's claim")
        previous = run.claims.get_claim(previous_digest_key(user_id, occurrence))
        digest = build_digest(run.store, profile, occurrence, run.now, previous)
        digest.summary = summarize(digest, run.model)
        digest_blocks(digest)  # a digest Slack would refuse fails here, before the claim
        png = render_heatmap(digest.heatmap) if digest.heatmap else None
        claimed = run.claims.claim(key, run.lease_seconds, attributes={
            "kind": "digest", "userId": user_id, "period": period,
            "periodEnd": iso_z(occurrence.period_end), "followers": digest.followers_now})
        if not claimed:
            return UserOutcome(user_id, "lost_race", period, "another run claimed it first")
        try:
            delivery = post_message(run.client, target, digest)
        except SlackApiError as exc:
            # The claim stays until its lease ends, so a later run retries then, not every tick.
            error = exc.response.get("error", "unknown error")
            return UserOutcome(user_id, "failed", period, f"Slack refused the message: {error}")
        except SlackClientError as exc:
            return UserOutcome(user_id, "failed", period, f"Slack unreachable: {exc}")
        if not run.claims.mark_done(key, ttl_seconds=run.keep_days * 86400):
            log.warning("digest %s sent after its claim lease ran out", key)
        problem = upload_chart(run.client, delivery, digest, png) if png else None
        return UserOutcome(user_id, "sent", period, problem or "")
    except Exception as exc:  # one user's bad data or a store error must not stop the run
        log.exception("digest for %s failed", user_id)
        return UserOutcome(user_id, "failed", period, f"{type(exc).__name__}: {exc}")


class DigestScheduler:
    """Runs `run_due` every `interval_seconds` on a background thread until stopped.

    Meant to live inside the server process: `start()` returns at once, `stop()` ends the
    loop after the current run (which is never interrupted half-way through a user).
    """

    def __init__(self, store: Store, slack_client: WebClient, *,
                 interval_seconds: float = 60.0, workers: int = DEFAULT_WORKERS,
                 model: BaseChatModel | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        if interval_seconds <= 0:
            raise ValueError("interval_seconds must be positive")
        self.store = store
        self.slack_client = slack_client
        self.interval_seconds = interval_seconds
        self.workers = workers
        self.model = model
        self.clock = clock
        self.claims = store.claims
        self.last_report: RunReport | None = None
        self.runs = 0
        self.failures = 0
        self._memo: dict[str, str] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        with self._lock:
            if self.running:
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="digest-scheduler",
                                            daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        with self._lock:
            self._stop.set()
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)

    def run_once(self) -> RunReport:
        report = run_due(self.store, self.slack_client, self.clock(), claims=self.claims,
                         workers=self.workers, model=self.model, memo=self._memo)
        self.last_report = report
        self.runs += 1
        if report.outcomes:
            log.info("digests: %s", report.text())
        return report

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # DynamoDB down for a minute must not end the scheduler
                self.failures += 1
                log.exception("digest run failed; retrying in %.0fs", self.interval_seconds)
            self._stop.wait(self.interval_seconds)


# ---------------------------------------------------------------------- one unit at a time
# A fan-out run (on AWS: one queue message per user) asks which users are owed a digest, then
# hands each user to `deliver_due` wherever it runs; the claim keeps it exactly once.


def _owed(profile: UserProfile, now: datetime) -> Occurrence | None:
    return latest_occurrence(profile.digest, profile.zone, now) if profile.digest else None


def pending_digests(store: Store, now: datetime,
                    claims: ClaimsRepository | None = None) -> Iterator[str]:
    """Users owed a digest at `now` that no run has finished sending, one read per user.

    Users whose digest already went out are left out, so a queue carries only work; one whose
    digest is in progress stays in, and `deliver_due` decides with the claim.
    """
    claims = claims or store.claims
    now = now.astimezone(UTC)

    def unreadable(user_id: str, _error: ValidationError) -> None:
        log.warning("digest due check skipped the unreadable profile of %s", user_id)

    for profile in store.users.iter_active(on_invalid=unreadable):
        occurrence = _owed(profile, now)
        if occurrence is None or destination(profile) is None:
            continue
        claim = claims.get_claim(digest_key(profile.userId, occurrence))
        if claim is None or not claim.get("done"):
            yield profile.userId


def deliver_due(store: Store, slack_client: WebClient, user_id: str, now: datetime, *,
                model: BaseChatModel | None = None, claims: ClaimsRepository | None = None,
                lease_seconds: int = LEASE_SECONDS, keep_days: int = KEEP_SENT_DAYS
                ) -> UserOutcome:
    """The digest `user_id` is owed at `now`, sent at most once; the unit of a fan-out run."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (add 'Z' or an offset)")
    run = _Run(store, slack_client, claims or store.claims,
               now.astimezone(UTC), model, lease_seconds, keep_days)
    profile = store.users.get(user_id)
    if profile is None or not profile.isActive:
        return UserOutcome(user_id, "skipped", "", "no active user")
    occurrence = _owed(profile, run.now)
    if occurrence is None:
        return UserOutcome(user_id, "skipped", "", "digests are off")
    target = destination(profile)
    if target is None:
        return UserOutcome(user_id, "skipped", occurrence.key, NO_DESTINATION)
    return _deliver(run, profile, occurrence, target)
