"""A RedNote export's bytes as rows, and where its header is.

The creator centre's file is made for people: it may be an xlsx with extra sheets or a csv in
UTF-8, UTF-16 or GBK, a notice row sits above the header, and column names drift between export
versions. Everything about the file as a file (size, format, encoding, which sheet, which row
is the header) is settled here, so a file that is not an export fails with an `ExportError`
that says what it is, before any note is read.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import BaseModel, ConfigDict

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


def match_header(cells: Sequence[Any]) -> dict[str, int]:
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
            if any(len(match_header(cells)) >= MIN_HEADER_HITS
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



def find_header(table: Table) -> tuple[int, dict[str, int]]:
    best_at = -1
    best: dict[str, int] = {}
    for position, (_, cells) in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
        found = match_header(cells)
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
