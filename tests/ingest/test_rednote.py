"""RedNote creator-centre exports: reading both column variants from csv and xlsx, Beijing time,
stable note ids, idempotent re-import and refusing bad files whole (on moto)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from pydantic import SecretStr

from cloudstro.cli import import_cmd
from cloudstro.config import fixed_clock
from cloudstro.ingest.rednote import (
    AccountNotChosen,
    ExportError,
    RowProblem,
    import_export,
    note_id,
    parse_export,
    parse_export_time,
)
from cloudstro.store import Store
from tests.support.builders import account_fields, user

USER = "creator_1"
RED_ID = "95012345678"
NOTICE = "最多导出近90天内发布的笔记数据"
IMPORTED_AT = datetime(2026, 9, 3, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 9, 10, 9, 0, tzinfo=UTC)

# The two layouts the creator centre has used: 13 columns ("笔记列表明细"), and the variant with
# "-数" names, a 互动数 total and no cover click-through rate.
HEADER_A = ["笔记标题", "首次发布时间", "体裁", "曝光", "观看量", "封面点击率", "点赞", "评论",
            "收藏", "涨粉", "分享", "人均观看时长", "弹幕"]
HEADER_B = ["笔记标题", "首次发布时间", "类型", "曝光数", "浏览数", "互动数", "点赞数", "收藏数",
            "评论数", "分享数"]


def rows_a() -> list[list[Any]]:
    return [
        [NOTICE] + [""] * 12,
        HEADER_A,
        ["秋季穿搭分享", "2026年09月01日20时15分00秒", "图文", "15230", "2103", "13.8%", "312",
         "41", "188", "27", "15", "0", "0"],
        ["周末vlog", "2026年08月28日18时02分11秒", "视频", "40211", "6120", "15.2%", "655", "73",
         "240", "58", "33", "21", "12"],
    ]


def rows_b() -> list[list[Any]]:
    return [
        [NOTICE] + [""] * 9,
        HEADER_B,
        ["秋季穿搭分享", "2026年09月01日20时15分00秒", "图文", "15230", "2103", "556", "312", "188",
         "41", "15"],
        ["周末vlog", "2026年08月28日18时02分11秒", "视频", "40211", "6120", "1001", "655", "240",
         "73", "33"],
    ]


def csv_export(rows: list[list[Any]], encoding: str = "utf-8-sig", delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_export(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet, active
    sheet.title = "笔记列表明细"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_creator(store: Store) -> Store:
    store.users.put(user(USER, fullName="Lin Xiaohong"))
    return store


def all_items(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every item of the three tables an import may write, raw, in key order."""
    tables = {"accounts": store.names.accounts, "posts": store.names.posts,
              "engagement": store.names.engagement}
    found = {}
    for role, name in tables.items():
        items = store.dynamo.table(name).scan()["Items"]
        found[role] = sorted(items, key=lambda item: json.dumps(item, sort_keys=True,
                                                                 default=str))
    return found


# --------------------------------------------------------------------------- time and ids


@pytest.mark.parametrize(("text", "utc"), [
    ("2025年01月02日12时30分00秒", datetime(2025, 1, 2, 4, 30, tzinfo=UTC)),
    # Summer is UTC+8 too: China has observed no daylight saving time since 1991.
    ("2025年07月15日08时00分00秒", datetime(2025, 7, 15, 0, 0, tzinfo=UTC)),
    ("2025年01月01日03时05分09秒", datetime(2024, 12, 31, 19, 5, 9, tzinfo=UTC)),
    ("2025年3月9日21时07分", datetime(2025, 3, 9, 13, 7, tzinfo=UTC)),
    ("2025-07-15 08:00:00", datetime(2025, 7, 15, 0, 0, tzinfo=UTC)),
    ("2025/07/15 08:00", datetime(2025, 7, 15, 0, 0, tzinfo=UTC)),
    (datetime(2025, 7, 15, 8, 0), datetime(2025, 7, 15, 0, 0, tzinfo=UTC)),  # an xlsx cell
])
def test_export_times_are_beijing_time_converted_to_utc(text, utc):
    parsed = parse_export_time(text)
    offset = parsed.utcoffset()
    assert parsed == utc and offset is not None and offset.total_seconds() == 0


@pytest.mark.parametrize("text", ["2025年02月30日10时00分00秒", "昨天", "", None])
def test_an_unreadable_time_is_a_row_problem(text):
    with pytest.raises(RowProblem, match="publish time"):
        parse_export_time(text)


def test_note_ids_are_a_stable_hash_of_title_and_utc_publish_time():
    published = datetime(2026, 9, 1, 12, 15, tzinfo=UTC)
    expected = hashlib.sha1("秋季穿搭分享|2026-09-01T12:15:00Z".encode()).hexdigest()[:16]
    assert note_id("秋季穿搭分享", published) == expected
    assert note_id("  秋季穿搭分享 ", published) == expected
    assert note_id("秋季穿搭分享!", published) != expected
    assert note_id("秋季穿搭分享", published.replace(second=1)) != expected

    ids = {export: [note.note_id for note in parse_export(data).notes]
           for export, data in (("a.csv", csv_export(rows_a())), ("b.csv", csv_export(rows_b())),
                                ("a.xlsx", xlsx_export(rows_a())))}
    assert ids["a.csv"][0] == expected
    assert ids["a.csv"] == ids["b.csv"] == ids["a.xlsx"]


# --------------------------------------------------------------------------- reading


def test_both_column_variants_read_the_same_counts():
    first_a, second_a = parse_export(csv_export(rows_a())).notes
    first_b, second_b = parse_export(csv_export(rows_b())).notes
    assert (first_a.title, first_a.media_type, second_a.media_type) == ("秋季穿搭分享", "image",
                                                                         "video")
    assert first_a.published_at == datetime(2026, 9, 1, 12, 15, tzinfo=UTC)
    assert (first_a.likes, first_a.comments, first_a.shares, first_a.saves) == (312, 41, 15, 188)
    assert (first_a.views, first_a.impressions, first_a.cover_ctr) == (2103, 15230, 13.8)
    for note_a, note_b in ((first_a, first_b), (second_a, second_b)):
        assert note_b.model_dump(exclude={"cover_ctr"}) == note_a.model_dump(exclude={"cover_ctr"})
    # Variant B has no cover click-through rate: unknown, not zero.
    assert first_b.cover_ctr is None


def test_xlsx_with_typed_cells_reads_like_the_csv():
    rows = rows_a()
    # What Excel keeps: numbers as numbers, the rate as a percent-formatted fraction.
    rows[2] = ["秋季穿搭分享", "2026年09月01日20时15分00秒", "图文", 15230, 2103, 0.138, 312, 41,
               188, 27, 15, 0, 0]
    rows[3] = ["周末vlog", datetime(2026, 8, 28, 18, 2, 11), "视频", 40211, 6120, 0.152, 655.0,
               73, 240, 58, 33, 21, 12]
    parsed = parse_export(xlsx_export(rows))
    assert parsed.kind == "xlsx"
    from_csv = parse_export(csv_export(rows_a())).notes
    assert [n.model_dump() for n in parsed.notes] == [n.model_dump() for n in from_csv]


def test_the_note_sheet_is_found_in_a_workbook_with_other_sheets():
    book = Workbook()
    first = book.active
    assert first is not None  # a new workbook has one sheet
    first.append(["数据说明", "以下数据仅供参考"])
    notes = book.create_sheet("笔记列表明细")
    for row in rows_b():
        notes.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    assert [note.likes for note in parse_export(buffer.getvalue()).notes] == [312, 655]


def test_header_found_below_several_notice_rows_and_units_in_headers():
    rows = rows_b()
    rows.insert(1, ["导出时间：2026-09-03"])
    rows[2] = [f"{name} " if name != "点赞数" else "点赞数（次）" for name in HEADER_B]
    notes = parse_export(csv_export(rows)).notes
    assert [note.likes for note in notes] == [312, 655]


@pytest.mark.parametrize(("encoding", "delimiter"), [
    ("gbk", ","), ("gb18030", ","), ("utf-16", "\t"), ("utf-16-le", "\t"), ("utf-8", ","),
])
def test_csv_encodings_excel_and_the_creator_centre_produce(encoding, delimiter):
    parsed = parse_export(csv_export(rows_a(), encoding=encoding, delimiter=delimiter))
    assert [note.title for note in parsed.notes] == ["秋季穿搭分享", "周末vlog"]
    assert parsed.encoding == {"gb18030": "gbk", "utf-16-le": "utf-16-le"}.get(encoding,
                                                                               encoding)


def test_cells_marked_unavailable_are_absent_and_bad_rows_are_skipped_with_reasons():
    rows = rows_a()
    rows[2][4] = "-"  # views not available
    rows[2][5] = ""  # no cover rate
    rows.append(["坏日期", "上周", "图文", "1", "1", "1%", "1", "1", "1", "0", "1", "0", "0"])
    rows.append(["没有点赞", "2026年08月20日10时00分00秒", "图文", "9", "9", "1%", "--", "1", "1",
                 "0", "1", "0", "0"])
    rows.append(list(rows[3]))  # the same note twice
    rows.append(["万", "2026年08月21日10时00分00秒", "视频", "1.2万", "3,400", "1%", "7", "1", "1",
                 "0", "1", "0", "0"])
    parsed = parse_export(csv_export(rows))
    first = parsed.notes[0]
    assert first.views is None and first.cover_ctr is None and first.likes == 312
    assert [(s.row, s.reason) for s in parsed.skipped] == [
        (5, "publish time '上周' is not a date and time"),
        (6, "no likes count"),
        (7, "same title and publish time as row 4"),
    ]
    assert (parsed.notes[-1].impressions, parsed.notes[-1].views) == (12000, 3400)


# --------------------------------------------------------------------------- bad files


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _empty_workbook() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


BAD_FILES = [
    ("missing columns", csv_export([[NOTICE], ["笔记标题", "首次发布时间", "体裁", "点赞", "评论"],
                                    ["a", "2026年09月01日20时15分00秒", "图文", "1", "2"]]),
     "missing required columns: 分享 (shares)"),
    ("not an export", csv_export([["name", "email"], ["a", "a@example.com"]]),
     "no header row found"),
    ("wrong encoding",
     csv_export(rows_a(), encoding="utf-8").replace("秋季".encode(), b"\x80\x80\xff"),
     "can't be read as UTF-8 or GBK"),
    ("empty file", b"", "the file is empty"),
    ("blank file", b"\r\n \r\n", "the file is empty"),
    ("header only", csv_export(rows_a()[:2]), "a header row but no notes"),
    ("empty sheet", _empty_workbook(), "the workbook's sheets are empty"),
    ("header only xlsx", xlsx_export(rows_a()[:2]), "a header row but no notes"),
    ("no readable row", csv_export([*rows_a()[:2], ["x", "never", "图文"]]),
     "none of the 1 rows under the header could be read"),
    ("pdf", b"%PDF-1.7\n1 0 obj\n", "a PDF document, not a spreadsheet"),
    ("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
    ("legacy xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old-style Excel .xls"),
    ("zip but not xlsx", _zip_without_workbook(), "not an Excel workbook"),
    ("binary", bytes(range(256)) * 4, "binary, not a spreadsheet"),
]


@pytest.mark.parametrize(("case", "data", "message"), BAD_FILES,
                         ids=[case for case, _, _ in BAD_FILES])
def test_a_bad_file_is_refused_whole_and_writes_nothing(moto_store, case, data, message):
    with_creator(moto_store)
    before = all_items(moto_store)
    with pytest.raises(ExportError, match=re.escape(message)):
        import_export(moto_store, USER, data, account_id=RED_ID, clock=fixed_clock(IMPORTED_AT))
    assert all_items(moto_store) == before


# --------------------------------------------------------------------------- importing


def test_import_writes_posts_snapshots_and_a_tokenless_account(moto_store):
    with_creator(moto_store)
    report = import_export(moto_store, USER, xlsx_export(rows_a()), account_id=RED_ID,
                           clock=fixed_clock(IMPORTED_AT))
    assert (report.new_posts, report.updated_posts, report.snapshots_written) == (2, 0, 2)
    assert report.account_created and report.account == f"rednote#{RED_ID}"

    posts = moto_store.posts.list_for_user(USER, platform="rednote")
    by_title = {post.content: post for post in posts}
    outfit = by_title["秋季穿搭分享"]
    assert outfit.postId == f"rednote#{note_id('秋季穿搭分享', outfit.createdAt)}"
    assert outfit.createdAtISO == "2026-09-01T12:15:00Z"
    assert outfit.engagement.model_dump() == {"likes": 312, "shares": 15, "comments": 41,
                                              "views": 2103}
    assert (outfit.authorId, outfit.authorName) == (RED_ID, "Lin Xiaohong")
    assert outfit.content_type == "image_post" and by_title["周末vlog"].content_type == "video_post"
    assert outfit.fetchedAt == IMPORTED_AT

    (snapshot,) = moto_store.engagement.history_for_post(USER, outfit.postId)
    assert snapshot.engagementId == f"{outfit.postId}#2026-09-03T09:00:00Z"
    assert (snapshot.likes, snapshot.comments, snapshot.shares, snapshot.views) == (312, 41, 15,
                                                                                    2103)
    assert snapshot.clickThroughRate == 13.8 and snapshot.contentType == "image_post"

    (account,) = moto_store.accounts.list_for_platform(USER, "rednote")
    assert account.accountHandle == RED_ID and account.lastSyncAt == IMPORTED_AT
    raw = moto_store.dynamo.table(moto_store.names.accounts).get_item(
        Key={"userId": USER, "platformAccountId": f"rednote#{RED_ID}"})["Item"]
    assert raw["accessToken"] == "" and "refreshToken" not in raw


def test_metrics_the_export_lacks_stay_absent(moto_store):
    with_creator(moto_store)
    header = ["笔记标题", "首次发布时间", "点赞", "评论", "分享"]
    data = csv_export([[NOTICE], header,
                       ["无观看数据", "2026年09月01日20时15分00秒", "5", "1", "0"]])
    import_export(moto_store, USER, data, account_id=RED_ID, clock=fixed_clock(IMPORTED_AT))
    item = moto_store.dynamo.table(moto_store.names.posts).scan()["Items"][0]
    assert dict(item["engagement"]) == {"likes": 5, "comments": 1, "shares": 0}
    assert "engagementRate" not in item and "media" not in item
    snapshot = moto_store.dynamo.table(moto_store.names.engagement).scan()["Items"][0]
    assert "views" not in snapshot and "clickThroughRate" not in snapshot


def test_reimporting_the_same_file_changes_nothing(moto_store):
    with_creator(moto_store)
    data = csv_export(rows_a())
    first = import_export(moto_store, USER, data, account_id=RED_ID,
                          clock=fixed_clock(IMPORTED_AT))
    assert first.snapshots_written == 2
    after_first = all_items(moto_store)

    # A day later, and again through the other layout and format: same notes, same counts.
    for again, clock in ((data, LATER), (xlsx_export(rows_a()), LATER)):
        report = import_export(moto_store, USER, again, clock=fixed_clock(clock))
        assert (report.new_posts, report.updated_posts, report.unchanged_posts,
                report.snapshots_written, report.account_created) == (0, 0, 2, 0, False)
        assert all_items(moto_store) == after_first


def test_a_newer_export_updates_changed_notes_with_one_snapshot_each(moto_store):
    with_creator(moto_store)
    import_export(moto_store, USER, csv_export(rows_a()), account_id=RED_ID,
                  clock=fixed_clock(IMPORTED_AT))
    newer = rows_a()
    newer[2][6] = "400"  # more likes on the first note; the second note is unchanged
    report = import_export(moto_store, USER, csv_export(newer), clock=fixed_clock(LATER))
    assert (report.new_posts, report.updated_posts, report.unchanged_posts,
            report.snapshots_written) == (0, 1, 1, 1)

    outfit_id = f"rednote#{note_id('秋季穿搭分享', datetime(2026, 9, 1, 12, 15, tzinfo=UTC))}"
    history = moto_store.engagement.history_for_post(USER, outfit_id)
    assert [(s.timestamp, s.likes) for s in history] == [(IMPORTED_AT, 312), (LATER, 400)]
    post = moto_store.posts.get(USER, outfit_id)
    assert post.engagement.likes == 400 and post.fetchedAt == LATER
    assert post.engagementScore == 400 + 15 + 41
    account = moto_store.accounts.sync_view(USER, "rednote", RED_ID)
    assert account.lastSyncAt == LATER and account.postCount == 2


def test_reimport_of_a_long_export_reads_in_batches_and_writes_nothing(moto_store):
    with_creator(moto_store)
    rows = [[NOTICE], HEADER_A]
    for number in range(130):  # more than one BatchGetItem's 100 keys
        published = f"2026年08月{1 + number % 28:02d}日{number % 24:02d}时00分00秒"
        rows.append([f"笔记 {number}", published, "图文", "100", "50", "9%", str(number), "1",
                     "2", "0", "3", "0", "0"])
    data = csv_export(rows)
    first = import_export(moto_store, USER, data, account_id=RED_ID,
                          clock=fixed_clock(IMPORTED_AT))
    assert (first.new_posts, first.snapshots_written) == (130, 130)
    before = all_items(moto_store)
    again = import_export(moto_store, USER, data, clock=fixed_clock(LATER))
    assert (again.unchanged_posts, again.snapshots_written, again.updated_posts) == (130, 0, 0)
    assert all_items(moto_store) == before


def test_a_changed_rate_or_a_lost_snapshot_is_measured_again(moto_store):
    with_creator(moto_store)
    import_export(moto_store, USER, csv_export(rows_a()), account_id=RED_ID,
                  clock=fixed_clock(IMPORTED_AT))
    vlog = parse_export(csv_export(rows_a())).notes[1]
    vlog_key = {"userId": USER,
                "engagementId": f"rednote#{vlog.note_id}#2026-09-03T09:00:00Z"}
    # A write that stored the post but lost its snapshot is repaired by importing again.
    moto_store.dynamo.table(moto_store.names.engagement).delete_item(Key=vlog_key)
    changed = rows_a()
    changed[2][5] = "14.1%"  # only the first note's cover click-through rate moved
    report = import_export(moto_store, USER, csv_export(changed), clock=fixed_clock(LATER))
    assert (report.updated_posts, report.unchanged_posts, report.snapshots_written) == (2, 0, 2)
    snapshots = moto_store.engagement.for_user(USER, platform="rednote")
    assert sorted((s.timestamp, s.clickThroughRate) for s in snapshots) == [
        (IMPORTED_AT, 13.8), (LATER, 14.1), (LATER, 15.2)]


def test_which_account_an_import_credits(moto_store):
    with_creator(moto_store)
    data = csv_export(rows_a())
    with pytest.raises(AccountNotChosen, match="pass --account-id"):
        import_export(moto_store, USER, data, clock=fixed_clock(IMPORTED_AT))
    with pytest.raises(AccountNotChosen, match="no user 'nobody'"):
        import_export(moto_store, "nobody", data, account_id=RED_ID,
                      clock=fixed_clock(IMPORTED_AT))
    assert all_items(moto_store) == {"accounts": [], "posts": [], "engagement": []}

    # An account connected beforehand is used as it is, not replaced.
    moto_store.accounts.connect(account_fields(USER, "rednote", RED_ID, accountName="小红",
                                               accountHandle="@xiaohong"),
                                access_token=SecretStr("unused"))
    moto_store.accounts.connect(account_fields(USER, "twitter", "42"),
                                access_token=SecretStr("unused"))
    report = import_export(moto_store, USER, data, clock=fixed_clock(IMPORTED_AT))
    assert not report.account_created and report.account == f"rednote#{RED_ID}"
    post = moto_store.posts.list_for_user(USER, platform="rednote")[0]
    assert (post.authorName, post.authorHandle) == ("小红", "@xiaohong")

    moto_store.accounts.connect(account_fields(USER, "rednote", "second"),
                                access_token=SecretStr("unused"))
    with pytest.raises(AccountNotChosen, match="several RedNote accounts"):
        import_export(moto_store, USER, data, clock=fixed_clock(LATER))


# --------------------------------------------------------------------------- command


def test_command_prints_counts_and_refuses_bad_files(moto_store, monkeypatch, tmp_path: Path):
    with_creator(moto_store)
    monkeypatch.setattr(import_cmd, "open_store", lambda quiet=False, batch=False: moto_store)
    good = tmp_path / "笔记数据.xlsx"
    good.write_bytes(xlsx_export(rows_a()))
    runner = CliRunner()

    result = runner.invoke(import_cmd.import_group,
                           ["rednote", "--user", USER, str(good), "--account-id", RED_ID,
                            "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["newPosts"], summary["updatedPosts"], summary["snapshotsWritten"],
            summary["rowsSkipped"]) == (2, 0, 2, 0)
    assert "秋季" not in result.output  # counts only, never note text

    again = runner.invoke(import_cmd.import_group, ["rednote", "--user", USER, str(good)])
    assert again.exit_code == 0, again.output
    assert "new posts 0, updated posts 0, unchanged 2, snapshots written 0" in again.output

    before = all_items(moto_store)
    bad = tmp_path / "notes.csv"
    bad.write_bytes(csv_export([[NOTICE], ["笔记标题", "首次发布时间"], ["a", "b"]]))
    refused = runner.invoke(import_cmd.import_group, ["rednote", "--user", USER, str(bad)])
    assert refused.exit_code != 0
    assert "notes.csv: the export is missing required columns" in refused.output
    assert all_items(moto_store) == before
