"""The sync engine: for one account, list what is new, measure what is due, store, remember.

One run of an account:
1. claims the account on the runtime table (two processes never sync it at once);
2. lists posts newer than the account's high-water mark (X `since_id`, the newest publish time
   elsewhere), or, the first time, back to the backfill horizon, writing each page as it comes;
3. measures again the account's posts whose refresh tier says they are due (one snapshot each);
4. saves the new high-water mark, which moves only when the listing reached the old mark, so a
   fault in the middle keeps what was stored and the next run lists the gap again.

A refused token refresh marks the account `reauth_required` and the run of other accounts goes
on; any other failure is reported in the account's result, never raised past `sync_account`.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from pydantic import ValidationError

from cloudstro.config import Clock, Settings, utc_now
from cloudstro.ingest.base import Connector, FetchedPost, ListingWindow, Metrics, parse_time
from cloudstro.ingest.errors import IngestError, ReauthRequired
from cloudstro.ingest.http import PlatformHttp, RetryPolicy
from cloudstro.ingest.registry import api_base_url, connector_class
from cloudstro.ingest.schedule import REFRESH_HORIZON, TIERS, is_due, refresh_interval
from cloudstro.ingest.tokens import TokenKeeper
from cloudstro.ingest.writer import Author, RecordWriter, build_post, build_snapshot
from cloudstro.ingest.writer import remeasured_post as remeasure
from cloudstro.slackkit.reauth_notice import AccountRefused, ReauthNotices
from cloudstro.store import Store
from cloudstro.store.accounts import SyncView
from cloudstro.store.errors import StoreError
from cloudstro.store.platforms import API_PLATFORMS
from cloudstro.store.records import REAUTH_REQUIRED, SocialPost, iso_z
from cloudstro.store.runtime_keys import sync_claim_key

CLAIM_SECONDS = 30 * 60


@dataclass
class AccountSyncResult:
    """What one account's run did; `errors` hold messages safe to show (no tokens)."""

    user_id: str
    platform: str
    account_id: str
    status: str = "ok"  # ok | error | reauth_required | skipped
    new_posts: int = 0
    updated_posts: int = 0
    snapshots: int = 0
    requests: int = 0
    errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"userId": self.user_id, "platform": self.platform, "accountId": self.account_id,
                "status": self.status, "newPosts": self.new_posts,
                "updatedPosts": self.updated_posts, "snapshots": self.snapshots,
                "requests": self.requests, "errors": list(self.errors)}


@dataclass
class _Run:
    view: SyncView
    connector: Connector
    http: PlatformHttp
    now: datetime
    result: AccountSyncResult
    author: Author
    discovered: set[str] = field(default_factory=set)


class SyncEngine:
    """Syncs accounts; `transport` lets tests and benchmarks aim httpx at local stand-ins."""

    def __init__(self, store: Store, settings: Settings | None = None, *,
                 clock: Clock = utc_now, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep, owner: str | None = None,
                 reauth_notices: ReauthNotices | None = None) -> None:
        self.store = store
        self.settings = settings or store.settings
        # The owner of an account marked reauth_required is told in Slack (once), when the
        # bot token is set.
        self.reauth_notices = reauth_notices or ReauthNotices.from_settings(store,
                                                                            self.settings)
        self.clock = clock
        self.sleep = sleep
        self.owner = owner or uuid.uuid4().hex
        self.claims = store.claims_owned_by(self.owner)
        self.writer = RecordWriter(store)
        self.policy = RetryPolicy(max_attempts=self.settings.sync_max_attempts,
                                  max_wait=self.settings.sync_max_wait_s)
        self._client = httpx.Client(transport=transport,
                                    timeout=httpx.Timeout(self.settings.sync_http_timeout_s),
                                    limits=httpx.Limits(max_connections=64,
                                                        max_keepalive_connections=32))

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> SyncEngine:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # ------------------------------------------------------------------ which accounts

    def accounts_of(self, user_id: str) -> list[SyncView]:
        """A user's accounts on platforms with an API (RedNote arrives by import)."""
        return [view for view in self.store.accounts.sync_views(user_id)
                if view.platform in API_PLATFORMS]

    def active_accounts(self) -> list[SyncView]:
        """Every active account on an API platform, across users (the platform/status GSI)."""
        return [view for platform in API_PLATFORMS
                for view in self.store.accounts.sync_views_by_status(platform, "active")]

    def due_accounts(self, every: timedelta) -> list[SyncView]:
        """Active accounts whose last sync is older than `every` (or that never synced)."""
        now = self.clock()
        return [view for view in self.active_accounts()
                if view.lastSyncAt is None or now - view.lastSyncAt >= every]

    def sync_many(self, views: Iterable[SyncView], *, workers: int = 1, full: bool = False,
                  on_done: Callable[[AccountSyncResult], None] | None = None
                  ) -> list[AccountSyncResult]:
        """Sync each account, `workers` at a time; one account's failure touches no other."""
        views = list(views)

        def one(view: SyncView) -> AccountSyncResult:
            result = self.sync_account(view.userId, view.platform, view.accountId, full=full)
            if on_done:
                on_done(result)
            return result

        if workers <= 1 or len(views) <= 1:
            return [one(view) for view in views]
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sync") as pool:
            return list(pool.map(one, views))

    # ------------------------------------------------------------------ one account

    def sync_account(self, user_id: str, platform: str, account_id: str, *,
                     full: bool = False) -> AccountSyncResult:
        result = AccountSyncResult(user_id, platform, account_id)
        try:
            view = self.store.accounts.sync_view(user_id, platform, account_id)
        except StoreError as exc:
            return _failed(result, str(exc))
        if view is None:
            return _failed(result, f"no {platform} account {account_id} for {user_id}")
        if view.accountStatus != "active":
            result.status = "skipped"
            result.errors.append(f"account is {view.accountStatus}"
                                 + (f": {view.statusReason}" if view.statusReason else ""))
            return result
        key = sync_claim_key(user_id, view.platformAccountId)
        now = self.clock()
        if not self.claims.claim(key, CLAIM_SECONDS, now=now.timestamp()):
            result.status = "skipped"
            result.errors.append("another sync of this account is running")
            return result
        try:
            self._run(view, result, now, full)
        except Exception as exc:  # never one account's surprise ends the others' run
            result.status = "error"
            result.errors.append(f"{platform}: unexpected {type(exc).__name__}")
        finally:
            with contextlib.suppress(StoreError):  # the claim expires on its own
                self.claims.release(key)
        return result

    def _run(self, view: SyncView, result: AccountSyncResult, now: datetime,
             full: bool) -> None:
        connector_type, rules_type = connector_class(view.platform)
        http = PlatformHttp(view.platform, api_base_url(self.settings, view.platform),
                            rules_type(), client=self._client, policy=self.policy,
                            clock=self.clock, sleep=self.sleep)
        connector = connector_type(http, view.accountId, self.settings)
        keeper = TokenKeeper(self.store.accounts, view.userId, view.platform, view.accountId,
                             owner=self.owner, clock=self.clock,
                             refresher=connector.refresh_tokens
                             if connector_type.refresh_ahead is not None else None,
                             refresh_ahead=connector_type.refresh_ahead,
                             refresh_needs_token=connector_type.renews_with_refresh_token,
                             sleep=self.sleep)
        http.auth = keeper
        run = _Run(view, connector, http, now, result,
                   Author(view.accountId, view.accountName or view.accountHandle,
                          view.accountHandle or view.accountName))
        state = dict(view.syncState or {})
        failed = False
        try:
            first_sync = not state.get("newestAt") and not state.get("interrupted")
            self._discover(run, state)
            self._refresh(run, state, full, first_sync)
        except ReauthRequired as exc:
            failed = True
            result.status = REAUTH_REQUIRED
            result.errors.append(str(exc))
            try:
                self.store.accounts.mark_reauth_required(view.userId, view.platform,
                                                         view.accountId, exc.reason, self.clock())
            except StoreError as store_exc:
                result.errors.append(str(store_exc))
            else:
                if self.reauth_notices is not None:
                    self.reauth_notices.send(AccountRefused(
                        view.userId, view.platform, view.accountId,
                        view.accountHandle or view.accountName or None, exc.reason,
                        keeper.token_version))
        except (IngestError, StoreError) as exc:
            failed = True
            result.status = "error"
            result.errors.append(str(exc))
        except ValidationError as exc:  # a platform value the record shapes refuse
            failed = True
            result.status = "error"
            where = ".".join(str(part) for part in exc.errors()[0]["loc"])
            result.errors.append(f"{view.platform}: a post did not fit the posts table "
                                 f"({exc.title} field {where!r})")
        finally:
            result.requests = http.requests
        try:
            self.store.accounts.record_sync(view.userId, view.platform, view.accountId,
                                            state=state, new_posts=result.new_posts,
                                            failed=failed, now=now)
        except StoreError as exc:
            result.status = "error"
            result.errors.append(str(exc))

    def _discover(self, run: _Run, state: dict[str, Any]) -> None:
        """List and store new posts; `state`'s high-water mark moves only past what was stored.

        `state` is updated in place. It is marked interrupted until the listing completes: a
        fault leaves the mark where it was and the flag set, so the next run lists the gap
        again and checks which listed posts are already stored instead of duplicating them.
        """
        newest_at = state.get("newestAt")
        window = ListingWindow(
            horizon=run.now - timedelta(days=self.settings.sync_backfill_days),
            newest_at=parse_time(run.view.platform, newest_at, "syncState.newestAt")
            if newest_at else None,
            newest_id=state.get("newestId"))
        check_existing = bool(newest_at or state.get("interrupted"))
        state["interrupted"] = True
        stored_newest: FetchedPost | None = None
        for page in run.connector.list_posts(window):
            wanted = [post for post in page if window.wants(post)]
            if not wanted:
                continue
            fresh = wanted
            if check_existing:
                known = self.writer.existing_post_ids(
                    run.view.userId, [f"{run.view.platform}#{post.id}" for post in wanted])
                fresh = [post for post in wanted
                         if f"{run.view.platform}#{post.id}" not in known]
            if fresh:
                self._store_new(run, fresh)
            # Every wanted post of the page is stored now (by this run or an earlier one).
            newest = max(wanted, key=lambda post: (post.created_at, post.id))
            if stored_newest is None or (newest.created_at, newest.id) > (
                    stored_newest.created_at, stored_newest.id):
                stored_newest = newest
        del state["interrupted"]
        if stored_newest is not None and (window.newest_at is None
                                          or stored_newest.created_at >= window.newest_at):
            state["newestAt"] = iso_z(stored_newest.created_at)
            state["newestId"] = stored_newest.id

    def _store_new(self, run: _Run, posts: list[FetchedPost]) -> None:
        partial = [post for post in posts if post.needs_metrics]
        completed: dict[str, Metrics] = {}
        for start in range(0, len(partial), run.connector.metric_batch):
            completed.update(run.connector.complete_metrics(
                partial[start:start + run.connector.metric_batch]))
        records, snapshots = [], []
        for post in posts:
            metrics = completed.get(post.id, post.metrics)
            record = build_post(run.view.userId, run.view.platform, run.author, post, metrics,
                                run.now)
            records.append(record)
            snapshots.append(build_snapshot(record, metrics, run.now))
        counts = self.writer.write(records, snapshots)
        run.result.new_posts += counts.posts
        run.result.snapshots += counts.snapshots
        run.discovered.update(record.postId for record in records)

    def _refresh(self, run: _Run, state: dict[str, Any], full: bool, first_sync: bool) -> None:
        """Measure again the known posts whose tier says they are due; one snapshot each.

        `state["refreshDueAt"]` is the earliest moment any post can next be due (computed
        conservatively early), so a run before it reads no posts at all: a re-sync with nothing
        new and nothing due costs the listing request and no post reads. A first sync has just
        measured every post it knows, so it reads none either.
        """
        due_at = state.get("refreshDueAt")
        newest_due = run.now + TIERS[0].every if run.discovered else None
        if first_sync and not full:
            if newest_due is not None:
                state["refreshDueAt"] = iso_z(newest_due)
            return
        if not full and due_at and run.now < parse_time(run.view.platform, due_at,
                                                         "syncState.refreshDueAt"):
            if newest_due is not None:
                state["refreshDueAt"] = iso_z(min(newest_due, parse_time(
                    run.view.platform, due_at, "syncState.refreshDueAt")))
            return
        start = run.now - (timedelta(days=self.settings.sync_backfill_days) if full
                           else REFRESH_HORIZON)
        known = [post for post in self.store.posts.list_in_period(
                     run.view.userId, start, run.now, run.view.platform)
                 if post.authorId == run.view.accountId and post.postId not in run.discovered]
        candidates = [post for post in known
                      if is_due(post.createdAt, post.fetchedAt, run.now, include_old=full)]
        due_ids = {post.postId for post in candidates}
        waiting = [post for post in known if post.postId not in due_ids]
        batch = run.connector.metric_batch
        for offset in range(0, len(candidates), batch):
            chunk = candidates[offset:offset + batch]
            measured = run.connector.fetch_metrics([post.id for post in chunk])
            records, snapshots = [], []
            for post in chunk:
                metrics = measured.get(post.id)
                if metrics is None or not metrics.known():
                    continue  # deleted, or no numbers yet: nothing was measured
                updated = remeasure(post, metrics, run.now)
                records.append(updated)
                snapshots.append(build_snapshot(updated, metrics, run.now))
            counts = self.writer.write(records, snapshots)
            run.result.updated_posts += counts.posts
            run.result.snapshots += counts.snapshots
            waiting.extend(records)
        upcoming = [moment for moment in (_next_due(post, run.now) for post in waiting)
                    if moment is not None]
        if newest_due is not None:
            upcoming.append(newest_due)
        if upcoming:
            state["refreshDueAt"] = iso_z(min(upcoming))
        else:
            state.pop("refreshDueAt", None)


def _failed(result: AccountSyncResult, message: str) -> AccountSyncResult:
    result.status = "error"
    result.errors.append(message)
    return result


def _next_due(post: SocialPost, now: datetime) -> datetime | None:
    """When `post` is next due, judged by its tier now: early, never late, as it only ages."""
    interval = refresh_interval(post.createdAt, now)
    if interval is None:
        return None
    # A record read back without its fetch time is due at once, never skipped.
    return post.fetchedAt + interval if post.fetchedAt is not None else now
