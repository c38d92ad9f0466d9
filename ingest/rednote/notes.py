"""A RedNote export's rows as typed notes: times, counts and rates as a creator writes them.

Times are Beijing time (`2025年01月02日12时30分00秒`), counts may be `1.2万`, a cell shown as "-"
is unknown rather than zero, and a note carries no id of its own, so one is made from its title
and publish time. A row that can't be read is skipped with its reason, not the end of the file.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from cloudstro.ingest.base import FetchedMedia, FetchedPost, Metrics
from cloudstro.ingest.rednote.table import ExportError, ExportKind, find_header, read_table
from cloudstro.store.records import iso_z

EXPORT_ZONE = ZoneInfo("Asia/Shanghai")  # creator-centre times are Beijing time (UTC+8, no DST)
_FORMATS: dict[str, Literal["image", "video"]] = {"图文": "image", "视频": "video",
                                                  "image": "image", "video": "video"}
_ABSENT = frozenset({"", "-", "--", "—", "/", "n/a", "null", "none"})


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
            year, month, day, hour, minute, second = parts
            moment = datetime(year, month, day, hour, minute, second)
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
    header_at, columns = find_header(table)
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
