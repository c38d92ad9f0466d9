"""RedNote (Xiaohongshu): a creator's note statistics arrive as the creator-centre export.

RedNote offers no public API for a creator's own numbers, and reading its private endpoints
breaks its terms, so the honest path is the file a creator downloads from the creator centre
(数据中心 → 笔记数据, xlsx or csv). That file is made for people, not programs: a notice row sits
above the header, column names drift between export versions, times are written like
`2025年01月02日12时30分00秒` in Beijing time, and a note carries no id. This module reads it
defensively and turns each note into a post and an engagement snapshot, built by
`ingest.writer` exactly as the API connectors' posts are.

Decisions, and why:

* **Post id** = a stable hash of the title and the UTC publish time, the only identity the export
  carries, so the same note in next month's export is the same post.
* **Measurement time** is the import's clock: the export records no time of its own.
* **Idempotent re-import.** A note whose counts equal its latest snapshot (the one written with
  the post, at its `fetchedAt`) and whose post would not change gets no write, so importing the
  same file again makes no write at all. (Deriving the snapshot time from the file instead was
  rejected: the file holds no export time, and a content hash would pass off an import time as
  a measurement time.) A later export with new counts writes a snapshot per changed note, which
  is what velocity and trends need. For the same reason an older export imported after a newer
  one is not recognised as older; its counts are recorded at the time of that import.
* **Unknown is absent.** A metric column the export lacks, or a cell shown as "-", is left out of
  the records, never written as 0. Likes, comments and shares are the exception the record shapes
  impose: a row without them cannot become a post, so it is skipped with its reason.
* **Nothing half-done.** The whole file is read and every record built and validated before the
  first write; a file that can't be imported ends with an error naming the problem and leaves
  the tables as they were.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any, Literal
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import BaseModel, ConfigDict, Field

from cloudstro.config import Clock, utc_now
from cloudstro.ingest.base import FetchedMedia, FetchedPost, Metrics
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
EXPORT_ZONE = ZoneInfo("Asia/Shanghai")  # creator-centre times are Beijing time (UTC+8, no DST)
HEADER_SEARCH_ROWS = 5  # the header follows one or more notice rows
MAX_EXPORT_BYTES = 20 * 1024 * 1024  # a 90-day export is a few hundred KB
MIN_HEADER_HITS = 2

ExportKind = Literal["xlsx", "csv"]


class ExportError(ValueError):
    """The file can't be imported; the message names the problem in the creator's terms."""


# --------------------------------------------------------------------------- columns


class Column(BaseModel):
    """One field of the export and every header the creator centre has used for it."""

    model_config = ConfigDict(frozen=True)

    field: str
    label: str
    aliases: tuple[str, ...]
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column(field="title", label="title", aliases=("笔记标题", "标题", "笔记名称"), required=True),
    Column(field="published", label="first published time",
           aliases=("首次发布时间", "发布时间", "发布日期"), required=True),
    Column(field="format", label="format", aliases=("体裁", "类型", "笔记类型", "发布形式")),
    Column(field="impressions", label="impressions", aliases=("曝光", "曝光量", "曝光数")),
    Column(field="views", label="views",
           aliases=("观看量", "观看数", "浏览数", "浏览量", "阅读量", "阅读数")),
    Column(field="cover_ctr", label="cover click-through rate", aliases=("封面点击率",)),
    Column(field="likes", label="likes", aliases=("点赞", "点赞数", "点赞量"), required=True),
    Column(field="comments", label="comments", aliases=("评论", "评论数", "评论量"),
           required=True),
    Column(field="saves", label="saves", aliases=("收藏", "收藏数", "收藏量")),
    Column(field="shares", label="shares", aliases=("分享", "分享数", "分享量"), required=True),
)
# Columns such as 涨粉 (followers gained), 人均观看时长 (average watch time) and 弹幕 (danmaku)
# are read past: the post and snapshot shapes have no attribute for them.

_BY_ALIAS: dict[str, Column] = {alias: column for column in COLUMNS for alias in column.aliases}
_FORMATS: dict[str, Literal["image", "video"]] = {"图文": "image", "视频": "video",
                                                  "image": "image", "video": "video"}
_ABSENT = frozenset({"", "-", "--", "—", "/", "n/a", "null", "none"})

# Signatures of files people upload by mistake, for an error that says what the file is.
_NOT_SPREADSHEETS: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0", "an old-style Excel .xls workbook; open it and save it as .xlsx or "
                          ".csv, then import that"),
    (b"%PDF", "a PDF document, not a spreadsheet (xlsx or csv)"),
    (b"\x89PNG", "a PNG image, not a spreadsheet (xlsx or csv)"),
    (b"\xff\xd8\xff", "a JPEG image, not a spreadsheet (xlsx or csv)"),
    (b"GIF8", "a GIF image, not a spreadsheet (xlsx or csv)"),
)


def _header_key(cell: Any) -> str:
    """A header cell without spaces, BOM or a unit in brackets: '点赞数 (次)' -> '点赞数'."""
    text = unicodedata.normalize("NFKC", str(cell or "")).replace("\ufeff", "")
    return re.sub(r"\s+|[(][^)]*[)]", "", text)


def _match_header(cells: Sequence[Any]) -> dict[str, int]:
    """Field name -> cell index for every known column in a candidate header row."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        column = _BY_ALIAS.get(_header_key(cell))
        if column is not None and column.field not in found:
            found[column.field] = index
    return found


# --------------------------------------------------------------------------- reading the file


class Table(BaseModel):
    """A sheet's non-empty rows with their 1-based row numbers, as a spreadsheet shows them."""

    kind: ExportKind
    encoding: str | None = None
    rows: list[tuple[int, list[Any]]]


def read_table(data: bytes) -> Table:
    """The export's rows, from xlsx or csv (UTF-8, UTF-16 or GBK); an ExportError otherwise."""
    if len(data) > MAX_EXPORT_BYTES:
        raise ExportError(f"the file is {len(data) // (1024 * 1024)} MB; a RedNote export is far "
                          f"smaller (limit {MAX_EXPORT_BYTES // (1024 * 1024)} MB)")
    if not data.strip():
        raise ExportError("the file is empty")
    if data.startswith(b"PK\x03\x04"):
        return Table(kind="xlsx", rows=_xlsx_rows(data))
    for signature, what in _NOT_SPREADSHEETS:
        if data.startswith(signature):
            raise ExportError(f"the file is {what}")
    text, encoding = _decode(data)
    return Table(kind="csv", encoding=encoding, rows=_csv_rows(text))


def _xlsx_rows(data: bytes) -> list[tuple[int, list[Any]]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError,
            TypeError) as exc:
        raise ExportError("the file is a zip archive but not an Excel workbook (.xlsx)") from exc
    # The note list is normally the only sheet; when a workbook has others (a summary, notes
    # on the data), the first sheet with a recognisable header is the one, else the first
    # sheet with anything in it, so the error names the header problem.
    first_filled: list[tuple[int, list[Any]]] = []
    try:
        for sheet in book.worksheets:
            rows = _non_empty(sheet.iter_rows(values_only=True))
            if any(len(_match_header(cells)) >= MIN_HEADER_HITS
                   for _, cells in rows[:HEADER_SEARCH_ROWS]):
                return rows
            first_filled = first_filled or rows
    finally:
        book.close()
    if not first_filled:
        raise ExportError("the workbook's sheets are empty")
    return first_filled


def _decode(data: bytes) -> tuple[str, str]:
    """The csv's text and its encoding: a BOM decides, else UTF-8, UTF-16 by its NULs, else GBK."""
    if data.startswith(codecs.BOM_UTF8):
        candidates: tuple[str, ...] = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)
    elif b"\x00" in data[:4096]:
        # UTF-16 without a BOM puts a NUL beside every ASCII character (delimiters, digits);
        # anything else with NULs in it is a binary file.
        head = data[:4096]
        odd, even = head[1::2].count(0), head[0::2].count(0)
        if max(odd, even) < len(head) // 8 or min(odd, even) > max(odd, even) // 4:
            raise ExportError("the file is binary, not a spreadsheet (xlsx or csv)")
        candidates = ("utf-16-le",) if odd > even else ("utf-16-be",)
    else:
        candidates = ("utf-8", "gb18030")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            raise ExportError("the file is binary, not a spreadsheet (xlsx or csv)")
        return text, {"utf-8-sig": "utf-8", "gb18030": "gbk"}.get(encoding, encoding)
    tried = " or ".join({"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "gb18030": "GBK",
                         "utf-16": "UTF-16", "utf-16-le": "UTF-16",
                         "utf-16-be": "UTF-16"}[name] for name in candidates)
    raise ExportError(f"the file's text can't be read as {tried}; export it again from the "
                      f"creator centre, or save it as an .xlsx or a UTF-8 .csv")


def _csv_rows(text: str) -> list[tuple[int, list[Any]]]:
    lines = text.splitlines()[:HEADER_SEARCH_ROWS + 1]
    delimiter = max((",", "\t", ";"), key=lambda mark: sum(line.count(mark) for line in lines))
    try:
        return _non_empty(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ExportError(f"the file is not a readable csv ({exc})") from exc


def _non_empty(rows: Iterable[Sequence[Any]]) -> list[tuple[int, list[Any]]]:
    kept = []
    for number, row in enumerate(rows, start=1):
        cells = list(row)
        if any(cell is not None and str(cell).strip() for cell in cells):
            kept.append((number, cells))
    return kept


# --------------------------------------------------------------------------- cells


class RowProblem(ValueError):
    """A cell of one row can't be read; the row is skipped and the reason reported."""


def parse_export_time(value: Any) -> datetime:
    """A creator-centre time (Beijing time) as an aware UTC datetime.

    Accepts `2025年01月02日12时30分00秒` (seconds or the time part may be missing),
    `2025-01-02 12:30[:00]`, `2025/01/02 ...`, and the datetime cells an xlsx holds.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    else:
        text = str(value or "").strip()
        normal = (text.replace("年", "-").replace("月", "-").replace("日", " ")
                  .replace("时", ":").replace("分", ":").replace("秒", "").replace("/", "-"))
        match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{1,2})"
                             r"(?::(\d{1,2}))?:?)?", normal.strip())
        if not match:
            raise RowProblem(f"publish time {text!r} is not a date and time" if text
                             else "publish time is empty")
        parts = [int(part) if part else 0 for part in match.groups()]
        try:
            moment = datetime(*parts)  # type: ignore[misc]
        except ValueError as exc:
            raise RowProblem(f"publish time {text!r} is not a real date ({exc})") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=EXPORT_ZONE)
    return moment.astimezone(UTC)


def _count(value: Any, label: str) -> int | None:
    """A whole, non-negative count; None for an empty or '-' cell. '1.2万' is 12000."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(str(value))
    else:
        text = str(value).strip().replace(",", "").replace("，", "")
        if text.lower() in _ABSENT:
            return None
        scale = 1
        if text[-1:] in ("万", "w", "W"):
            text, scale = text[:-1], 10_000
        try:
            number = Decimal(text) * scale
        except InvalidOperation as exc:
            raise RowProblem(f"{label} {value!r} is not a number") from exc
        if scale > 1:
            number = number.to_integral_value()
    if number != number.to_integral_value():
        raise RowProblem(f"{label} {value!r} is not a whole number")
    if number < 0:
        raise RowProblem(f"{label} {value!r} is negative")
    return int(number)


def _percent(value: Any, label: str) -> float | None:
    """A rate in percent: '13.8%' and 0.138 (a percent-formatted xlsx cell) are both 13.8."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    if text.lower() in _ABSENT:
        return None
    is_percent = text.endswith("%")
    try:
        number = float(text.rstrip("%").strip())
    except ValueError as exc:
        raise RowProblem(f"{label} {value!r} is not a percentage") from exc
    if number < 0:
        raise RowProblem(f"{label} {value!r} is negative")
    return round(number if is_percent or number > 1 else number * 100, 4)


# --------------------------------------------------------------------------- notes


class ExportNote(BaseModel):
    """One note of the export, typed; counts the export lacks are None."""

    model_config = ConfigDict(frozen=True)

    row: int
    title: str
    published_at: datetime
    media_type: Literal["image", "video"] | None = None
    likes: int = Field(ge=0)
    comments: int = Field(ge=0)
    shares: int = Field(ge=0)
    views: int | None = Field(default=None, ge=0)
    impressions: int | None = Field(default=None, ge=0)
    saves: int | None = Field(default=None, ge=0)
    cover_ctr: float | None = Field(default=None, ge=0)

    @property
    def note_id(self) -> str:
        return note_id(self.title, self.published_at)

    @property
    def metrics(self) -> Metrics:
        return Metrics(views=self.views, impressions=self.impressions, likes=self.likes,
                       comments=self.comments, shares=self.shares, saves=self.saves)

    def fetched(self) -> FetchedPost:
        """The note as any source of posts hands it over (the title is the text)."""
        # The export says image or video but gives no address for the media.
        media = (FetchedMedia(type=self.media_type, url=""),) if self.media_type else ()
        return FetchedPost(id=self.note_id, created_at=self.published_at, content=self.title,
                           media=media, metrics=self.metrics)


def note_id(title: str, published_at: datetime) -> str:
    """The post id of a note: the export has none, so title and UTC publish time make one."""
    key = f"{unicodedata.normalize('NFC', title.strip())}|{iso_z(published_at)}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


class SkippedRow(BaseModel):
    row: int
    reason: str


class ParsedExport(BaseModel):
    kind: ExportKind
    encoding: str | None = None
    notes: list[ExportNote]
    skipped: list[SkippedRow]


def parse_export(data: bytes) -> ParsedExport:
    """Every note of a creator-centre export, or an ExportError saying why the file can't be read.

    Rows that can't be read (a bad date, a missing count, a repeated note) are skipped and
    listed with their reasons; a file where no row can be read is an error.
    """
    table = read_table(data)
    header_at, columns = _find_header(table)
    body = table.rows[header_at + 1:]
    if not body:
        raise ExportError("the sheet has a header row but no notes under it")
    notes: list[ExportNote] = []
    skipped: list[SkippedRow] = []
    first_row_of: dict[str, int] = {}
    for number, cells in body:
        try:
            note = _note(number, cells, columns)
        except RowProblem as problem:
            skipped.append(SkippedRow(row=number, reason=str(problem)))
            continue
        earlier = first_row_of.setdefault(note.note_id, number)
        if earlier != number:
            skipped.append(SkippedRow(row=number,
                                      reason=f"same title and publish time as row {earlier}"))
            continue
        notes.append(note)
    if not notes:
        reasons = "; ".join(f"row {s.row}: {s.reason}" for s in skipped[:3])
        raise ExportError(f"none of the {len(body)} rows under the header could be read "
                          f"({reasons})")
    return ParsedExport(kind=table.kind, encoding=table.encoding, notes=notes, skipped=skipped)


def _find_header(table: Table) -> tuple[int, dict[str, int]]:
    best_at, best = -1, {}
    for position, (_, cells) in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
        found = _match_header(cells)
        if len(found) > len(best):
            best_at, best = position, found
    if len(best) < MIN_HEADER_HITS:
        hint = (" (if it is one, its text encoding may be wrong)" if table.kind == "csv" else "")
        raise ExportError(
            f"no header row found in the first {HEADER_SEARCH_ROWS} rows: this doesn't look "
            f"like a RedNote note export{hint}; expected columns such as 笔记标题, 首次发布时间, "
            f"点赞, 评论, 分享")
    missing = [column for column in COLUMNS if column.required and column.field not in best]
    if missing:
        names = ", ".join(f"{column.aliases[0]} ({column.label})" for column in missing)
        raise ExportError(f"the export is missing required columns: {names}")
    return best_at, best


def _note(number: int, cells: list[Any], columns: dict[str, int]) -> ExportNote:
    def cell(field: str) -> Any:
        index = columns.get(field)
        return cells[index] if index is not None and index < len(cells) else None

    counts: dict[str, int | None] = {}
    for field, label in (("likes", "likes"), ("comments", "comments"), ("shares", "shares"),
                         ("views", "views"), ("impressions", "impressions"),
                         ("saves", "saves")):
        counts[field] = _count(cell(field), label)
    for required in ("likes", "comments", "shares"):
        if counts[required] is None:
            raise RowProblem(f"no {required} count")
    media_type = _FORMATS.get(str(cell("format") or "").strip().lower())
    return ExportNote(
        row=number,
        title=unicodedata.normalize("NFC", str(cell("title") or "").strip()),
        published_at=parse_export_time(cell("published")),
        media_type=media_type,
        cover_ctr=_percent(cell("cover_ctr"), "cover click-through rate"),
        **counts,
    )


# --------------------------------------------------------------------------- importing


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
