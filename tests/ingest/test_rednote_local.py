"""End to end on DynamoDB Local: `cloudstro import rednote`, then the offline assistant answers
about the imported notes from the same tables."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cloudstro.agent.offline import OfflineChatModel
from cloudstro.agent.service import Assistant
from cloudstro.cli import import_cmd
from cloudstro.config import fixed_clock
from cloudstro.ingest.rednote import note_id, parse_export_time
from tests.ingest.test_rednote import HEADER_A, NOTICE, RED_ID, USER, xlsx_export
from tests.support.builders import user

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
NOTES = [  # title, Beijing publish time, format, likes, comments, shares, views
    ("冬日围巾的五种系法", "2026年11月22日19时30分00秒", "图文", 820, 96, 41, 9100),
    ("周末咖啡探店vlog", "2026年11月20日12时05分00秒", "视频", 233, 18, 7, 4100),
    ("极简通勤穿搭", "2026年11月18日08时45分30秒", "图文", 64, 5, 2, 1300),
]


def test_imported_rednote_notes_are_what_the_assistant_answers_from(local_store, monkeypatch,
                                                                    tmp_path: Path):
    local_store.users.put(user(USER, fullName="Lin Xiaohong", timezone="Asia/Shanghai"))
    rows: list[list[Any]] = [[NOTICE], HEADER_A]
    for title, published, kind, likes, comments, shares, views in NOTES:
        rows.append([title, published, kind, views * 5, views, "12.5%", likes, comments, 30, 3,
                     shares, 0, 0])
    export = tmp_path / "笔记列表明细.xlsx"
    export.write_bytes(xlsx_export(rows))
    monkeypatch.setattr(import_cmd, "utc_now", fixed_clock(NOW))

    result = CliRunner().invoke(import_cmd.import_group, ["rednote", "--user", USER, str(export),
                                                          "--account-id", RED_ID, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["newPosts"], summary["snapshotsWritten"], summary["accountCreated"]) == (
        3, 3, True)
    snapshots = local_store.engagement.in_period(USER, NOW, NOW, platform="rednote")
    assert sorted(s.likes for s in snapshots) == [64, 233, 820]

    assistant = Assistant(local_store, model=OfflineChatModel())
    listed = assistant.respond(USER, None, "show my recent posts on rednote", now=NOW)
    assert [call.name for call in listed.tool_calls] == ["list_my_posts"]
    for title, published, _, likes, comments, shares, views in NOTES:
        post_id = f"rednote#{note_id(title, parse_export_time(published))}"
        line = next(line for line in listed.reply.splitlines() if post_id in line)
        assert title in line and f"{likes + comments + shares:,} interactions" in line
        assert f"views {views:,}" in line
    newest, oldest = NOTES[0][0], NOTES[-1][0]
    assert listed.reply.index(newest) < listed.reply.index(oldest)  # newest first

    week = assistant.respond(USER, None, "how did I do this week?", now=NOW)
    interactions = sum(likes + comments + shares for _, _, _, likes, comments, shares, _ in NOTES)
    platform_line = next(line for line in week.reply.splitlines() if "rednote" in line.lower())
    assert f"{interactions:,} interactions" in platform_line

    accounts = assistant.respond(USER, None, "which accounts are connected?", now=NOW)
    assert [call.name for call in accounts.tool_calls] == ["list_my_accounts"]
    assert any(RED_ID in line and "rednote" in line.lower()
               for line in accounts.reply.splitlines())

    again = CliRunner().invoke(import_cmd.import_group, ["rednote", "--user", USER, str(export)])
    assert again.exit_code == 0, again.output
    assert "new posts 0, updated posts 0, unchanged 3, snapshots written 0" in again.output
    assert len(local_store.engagement.for_user(USER, platform="rednote")) == 3
