"""The three scheduled jobs as units of work: what is due, and running one unit.

A unit names its job, its user and, for a sync, the account; `scheduledAt` is the tick that
found it, so a digest sent from a retried message still covers the period it was found for.
Running a unit never raises for a failure the job reports itself: it returns an outcome,
and the outcome says whether the unit should be tried again.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from cloudstro.config import Clock, Settings, utc_now
from cloudstro.store import Store
from cloudstro.store.errors import StoreError, UserNotFoundError

if TYPE_CHECKING:
    from cloudstro.ingest.engine import SyncEngine

Job = Literal["sync", "insights", "digest"]
JOBS: tuple[Job, ...] = ("sync", "insights", "digest")
log = logging.getLogger("cloudstro.batch")


class ScheduledRun(BaseModel):
    """What the schedule sends the due-finder: which job, and the tick's time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    job: Job
    scheduledAt: AwareDatetime | None = None


class WorkUnit(BaseModel):
    """One queue message: one account to sync, or one user's insights or digest."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    job: Job
    userId: str
    platform: str | None = None
    accountId: str | None = None
    scheduledAt: AwareDatetime


@dataclass(frozen=True)
class UnitOutcome:
    unit: WorkUnit
    status: str
    retry: bool = False  # True: the unit failed in a way another attempt may fix
    detail: str = ""


class BatchJobs:
    """The jobs over one store; the heavy parts (HTTP client, Slack client, model) on demand."""

    def __init__(self, store: Store, settings: Settings, *, clock: Clock = utc_now,
                 slack_client: Any | None = None, digest_model: Any | None = None) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self._slack_client = slack_client
        self._digest_model = digest_model

    # ------------------------------------------------------------------ what is due

    def due(self, job: Job, now: datetime) -> Iterator[WorkUnit]:
        if job == "sync":
            from cloudstro.ingest.runner import ACCOUNT_EVERY

            for view in self.sync_engine.due_accounts(ACCOUNT_EVERY):
                yield WorkUnit(job=job, userId=view.userId, platform=view.platform,
                               accountId=view.accountId, scheduledAt=now)
        elif job == "insights":
            for user_id in self.store.users.iter_active_ids():
                yield WorkUnit(job=job, userId=user_id, scheduledAt=now)
        else:
            from cloudstro.digests.runner import pending_digests

            for user_id in pending_digests(self.store, now):
                yield WorkUnit(job=job, userId=user_id, scheduledAt=now)

    # ------------------------------------------------------------------ one unit

    def run(self, unit: WorkUnit) -> UnitOutcome:
        try:
            if unit.job == "sync":
                return self._sync(unit)
            if unit.job == "insights":
                return self._insights(unit)
            return self._digest(unit)
        except StoreError as exc:  # DynamoDB unavailable or throttling: worth another try
            return UnitOutcome(unit, "failed", retry=True, detail=type(exc).__name__)

    def _sync(self, unit: WorkUnit) -> UnitOutcome:
        if unit.platform is None or unit.accountId is None:
            return UnitOutcome(unit, "invalid", detail="a sync unit names its account")
        result = self.sync_engine.sync_account(unit.userId, unit.platform, unit.accountId)
        # reauth_required waits for the user; skipped means another run has the account.
        return UnitOutcome(unit, result.status, retry=result.status == "error",
                           detail="; ".join(result.errors))

    def _insights(self, unit: WorkUnit) -> UnitOutcome:
        from cloudstro.insights import refresh_user
        from cloudstro.insights.engine import describe_failure

        try:
            refreshed = refresh_user(self.store, unit.userId, self.clock())
        except UserNotFoundError:
            return UnitOutcome(unit, "skipped", detail="no such user")
        except (ValueError, ValidationError) as exc:  # the user's data: a retry reads the same
            return UnitOutcome(unit, "skipped", detail=describe_failure(exc))
        return UnitOutcome(unit, "ok", detail=f"{len(refreshed.written)} insights")

    def _digest(self, unit: WorkUnit) -> UnitOutcome:
        from cloudstro.digests.runner import deliver_due

        outcome = deliver_due(self.store, self.slack_client, unit.userId, unit.scheduledAt,
                              model=self.digest_model)
        return UnitOutcome(unit, outcome.status, retry=outcome.status == "failed",
                           detail=outcome.detail)

    # ------------------------------------------------------------------ parts on demand

    @functools.cached_property
    def sync_engine(self) -> SyncEngine:
        from cloudstro.ingest.engine import SyncEngine

        return SyncEngine(self.store, self.settings, clock=self.clock)

    @property
    def slack_client(self) -> Any:
        if self._slack_client is None:
            from cloudstro.slackkit.client import web_client

            self._slack_client = web_client(self.settings)
        return self._slack_client

    @property
    def digest_model(self) -> Any:
        if self._digest_model is None:
            from cloudstro.digests.summary import summary_model

            self._digest_model = summary_model(self.settings)
        return self._digest_model
