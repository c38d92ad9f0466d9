"""Importing a RedNote export: notes to posts and snapshots, no write until all are built.

See the package docstring for the decisions (stable post ids, measurement time, idempotent
re-import, nothing half-done); this module carries them out against the store.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from cloudstro.config import Clock, utc_now
from cloudstro.ingest.rednote.notes import ExportNote, SkippedRow, parse_export
from cloudstro.ingest.rednote.table import ExportKind
from cloudstro.ingest.writer import (
    Author,
    RecordWriter,
    build_post,
    build_snapshot,
    remeasured_post,
)
from cloudstro.store import Store
from cloudstro.store.records import (
    AccountSummary,
    EngagementSnapshot,
    SocialAccount,
    SocialPost,
    iso_z,
)

PLATFORM = "rednote"


class AccountNotChosen(LookupError):
    """The import can't tell which RedNote account the notes belong to; the text says what to do."""


class ImportReport(BaseModel):
    """What one import did, in counts; no note text, so it is safe to print and log."""

    user_id: str
    account: str
    account_created: bool
    kind: ExportKind
    encoding: str | None
    notes_read: int
    new_posts: int
    updated_posts: int
    unchanged_posts: int
    snapshots_written: int
    skipped: list[SkippedRow]

    def as_json(self) -> dict[str, Any]:
        return {
            "userId": self.user_id, "account": self.account,
            "accountCreated": self.account_created, "file": self.kind,
            "encoding": self.encoding, "notesRead": self.notes_read,
            "newPosts": self.new_posts, "updatedPosts": self.updated_posts,
            "unchangedPosts": self.unchanged_posts, "snapshotsWritten": self.snapshots_written,
            "rowsSkipped": len(self.skipped),
            "skipped": [{"row": row.row, "reason": row.reason} for row in self.skipped],
        }

    def text(self) -> str:
        created = " (account record created)" if self.account_created else ""
        lines = [
            f"{self.user_id}: imported {self.notes_read} notes from a RedNote {self.kind} export "
            f"into {self.account}{created}",
            f"  new posts {self.new_posts}, updated posts {self.updated_posts}, unchanged "
            f"{self.unchanged_posts}, snapshots written {self.snapshots_written}, rows skipped "
            f"{len(self.skipped)}",
        ]
        lines += [f"  skipped row {row.row}: {row.reason}" for row in self.skipped]
        return "\n".join(lines)


class _Plan(BaseModel):
    new_posts: list[SocialPost] = []
    updated_posts: list[SocialPost] = []
    unchanged_posts: int = 0
    snapshots: list[EngagementSnapshot] = []


# Attributes of a snapshot that say when it was measured rather than what was measured.
_MEASUREMENT_TIME = frozenset({"engagementId", "timestamp", "timestampISO", "hourOfDay",
                               "dayOfWeek"})


def import_export(store: Store, user_id: str, data: bytes, *, account_id: str | None = None,
                  clock: Clock = utc_now) -> ImportReport:
    """Import one creator-centre export for `user_id`: posts, one snapshot per changed note.

    The account is `account_id`'s (its record is created, without tokens, when missing) or
    else the user's only RedNote account. Every check runs before the first write.
    """
    export = parse_export(data)
    measured_at = clock().astimezone(UTC).replace(microsecond=0)
    author, new_account = _resolve_account(store, user_id, account_id, measured_at)
    plan = _plan(store, user_id, export.notes, author, measured_at)

    if new_account is not None:
        store.accounts.put_many_prepared([new_account])
    RecordWriter(store).write([*plan.new_posts, *plan.updated_posts], plan.snapshots)
    if new_account is not None or plan.new_posts or plan.updated_posts or plan.snapshots:
        _record_import(store, user_id, author, len(plan.new_posts), measured_at)
    return ImportReport(
        user_id=user_id, account=f"{PLATFORM}#{author.id}",
        account_created=new_account is not None, kind=export.kind, encoding=export.encoding,
        notes_read=len(export.notes), new_posts=len(plan.new_posts),
        updated_posts=len(plan.updated_posts), unchanged_posts=plan.unchanged_posts,
        snapshots_written=len(plan.snapshots), skipped=export.skipped,
    )


def _resolve_account(store: Store, user_id: str, account_id: str | None,
                     now: datetime) -> tuple[Author, SocialAccount | None]:
    """The account to credit, and a new record to write when `account_id` has none yet."""
    profile = store.users.get(user_id)
    if profile is None:
        raise AccountNotChosen(f"no user {user_id!r}")
    accounts = store.accounts.list_for_platform(user_id, PLATFORM)
    if account_id is not None:
        account_id = account_id.strip()
        if not account_id or "#" in account_id:
            raise AccountNotChosen(f"--account-id {account_id!r} is not a RedNote ID")
        for summary in accounts:
            if summary.platformAccountId == f"{PLATFORM}#{account_id}":
                return _author(summary, profile.display_name), None
        record = SocialAccount.model_validate({
            "userId": user_id, "platform": PLATFORM, "accountId": account_id,
            "accountName": profile.display_name, "accountHandle": account_id,
            # The export carries no follower totals; the record shape requires the attributes.
            "followerCount": 0, "followingCount": 0,
            # No token: RedNote data arrives as exports, so there is nothing to refresh or
            # spend; an empty token that expired when the record was made says exactly that.
            "accessToken": "", "tokenExpiresAt": now,
            "connectedAt": now, "lastSyncAt": now, "createdAt": now, "updatedAt": now,
            "syncStatus": "active", "permissions": ["read"],
            "platformSpecificData": {"redId": account_id, "source": "creator_centre_export"},
        })
        return Author(id=account_id, name=profile.display_name, handle=account_id), record
    if len(accounts) == 1:
        return _author(accounts[0], profile.display_name), None
    if not accounts:
        raise AccountNotChosen(f"{user_id} has no RedNote account on record; pass --account-id "
                               f"with the RedNote ID (小红书号) the export came from")
    known = ", ".join(summary.platformAccountId.split("#", 1)[1] for summary in accounts)
    raise AccountNotChosen(f"{user_id} has several RedNote accounts ({known}); pass "
                           f"--account-id to say which one the export came from")


def _author(summary: AccountSummary, fallback_name: str) -> Author:
    account_id = summary.platformAccountId.split("#", 1)[1]
    return Author(id=account_id, name=summary.accountName or fallback_name,
                  handle=summary.accountHandle or account_id)


def _plan(store: Store, user_id: str, notes: list[ExportNote], author: Author,
          measured_at: datetime) -> _Plan:
    """Which posts and snapshots to write: reads only, so a failure here writes nothing.

    A post's latest snapshot is the one written with it, keyed by the post's `fetchedAt`, so
    two batched reads (posts, then those snapshots) cost the file's notes / 100 requests each,
    whatever the length of the history.
    """
    plan = _Plan()
    stored_posts = store.posts.get_many(user_id, [f"{PLATFORM}#{n.note_id}" for n in notes])
    latest = store.engagement.get_many(user_id, [
        key for key in map(_latest_snapshot_id, stored_posts.values()) if key])
    for note in notes:
        stored = stored_posts.get(f"{PLATFORM}#{note.note_id}")
        if stored is None:
            post = build_post(user_id, PLATFORM, author, note.fetched(), note.metrics,
                              measured_at)
            plan.new_posts.append(post)
            plan.snapshots.append(_snapshot(post, note, measured_at))
            continue
        # The stored post keeps what other jobs added to it; only its numbers move.
        post = remeasured_post(stored, note.metrics, measured_at)
        snapshot = _snapshot(post, note, measured_at)
        previous = latest.get(_latest_snapshot_id(stored) or "")
        if (previous is not None and _measured(previous) == _measured(snapshot)
                and remeasured_post(stored, note.metrics, previous.timestamp).to_record()
                == stored.to_record()):
            plan.unchanged_posts += 1
            continue
        plan.updated_posts.append(post)
        plan.snapshots.append(snapshot)
    return plan


def _latest_snapshot_id(post: SocialPost) -> str | None:
    return f"{post.postId}#{iso_z(post.fetchedAt)}" if post.fetchedAt else None


def _snapshot(post: SocialPost, note: ExportNote, measured_at: datetime) -> EngagementSnapshot:
    snapshot = build_snapshot(post, note.metrics, measured_at)
    if snapshot is None:  # parse_export keeps only rows with the counts a snapshot needs
        raise AssertionError(f"row {note.row} reached the import without its counts")
    if note.cover_ctr is None:
        return snapshot
    return snapshot.rebuild(clickThroughRate=note.cover_ctr)


def _measured(snapshot: EngagementSnapshot) -> dict[str, Any]:
    """What a snapshot measured, without when: two imports of one file compare equal."""
    return {key: value for key, value in snapshot.to_record().items()
            if key not in _MEASUREMENT_TIME}


def _record_import(store: Store, user_id: str, author: Author, new_posts: int,
                   at: datetime) -> None:
    """The account's last sync is this import; its sync state (cursors) is left as it was."""
    view = store.accounts.sync_view(user_id, PLATFORM, author.id)
    store.accounts.record_sync(user_id, PLATFORM, author.id,
                               state=view.syncState if view else {}, new_posts=new_posts,
                               failed=False, now=at)
