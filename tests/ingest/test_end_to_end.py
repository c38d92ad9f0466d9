"""The whole path on DynamoDB Local: an operator adds accounts, `cloudstro sync` pulls their
posts from the platform stand-ins, and the assistant answers about those posts."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from cloudstro.config import fixed_clock
from cloudstro.store import Store
from tests.support.builders import user
from tests.support.standins import StandIns
from tests.support.sync import NOW, seed_posts, sync_cli_runner

pytestmark = pytest.mark.integration
USER = "maker_1"
SECRETS = ("x-access-0", "x-refresh-0", "tt-access-0", "tt-refresh-0")


@pytest.fixture
def run(local_store: Store, standins: StandIns, monkeypatch: pytest.MonkeyPatch):
    return sync_cli_runner(local_store, standins, monkeypatch)


def test_accounts_added_synced_listed_and_asked_about(
        run, local_store: Store, standins: StandIns) -> None:
    from cloudstro.agent.service import Assistant

    local_store.users.put(user(USER, timezone="UTC"))
    x, tiktok = standins.states["twitter"], standins.states["tiktok"]
    seed_posts(x, 8, spacing=timedelta(hours=12))
    seed_posts(tiktok, 5, spacing=timedelta(hours=20), first_id=7_000_000)
    x.access_tokens.add("x-access-0")
    x.refresh_tokens.add("x-refresh-0")
    tiktok.access_tokens.add("tt-access-0")
    tiktok.refresh_tokens.add("tt-refresh-0")

    added = [
        run("accounts", "add", "--user", USER, "--platform", "x", "--account-id", x.account_id,
            "--username", "maker", "--access-token", "-", "--refresh-token", "-",
            "--expires-in", "7200", stdin="x-access-0\nx-refresh-0\n"),
        run("accounts", "add", "--user", USER, "--platform", "tiktok", "--account-id",
            tiktok.account_id, "--access-token", "tt-access-0", "--refresh-token",
            "tt-refresh-0", "--expires-in", "60"),  # expires within a minute: renewed first
    ]
    assert [result.exit_code for result in added] == [0, 0]

    synced = run("sync", "--user", USER, "--json")
    assert synced.exit_code == 0, synced.output
    summary = json.loads(synced.output)
    by_platform = {item["platform"]: item for item in summary["accounts"]}
    assert by_platform["twitter"]["newPosts"] == 8 and by_platform["tiktok"]["newPosts"] == 5
    assert summary["totals"] == {"newPosts": 13, "updatedPosts": 0, "snapshots": 13,
                                 "requests": 3, "errors": 0}  # X 1 page; TikTok renew + 1
    assert tiktok.spent_refresh_tokens == {"tt-refresh-0"}

    listed = run("accounts", "list", "--user", USER, "--json")
    rows = {row["platform"]: row for row in json.loads(listed.output)}
    assert rows["twitter"]["status"] == "active" and rows["twitter"]["posts"] == 8
    assert rows["tiktok"]["lastSyncAt"] == NOW.isoformat()

    again = run("sync", "--user", USER)  # nothing new, nothing due: nothing written
    assert again.exit_code == 0
    assert "Twitter/X 2244994945 (maker_1): ok; 0 new posts, 0 updated, 0 snapshots" in (
        again.output)

    outputs = " ".join(result.output for result in (*added, synced, listed, again))
    assert not any(secret in outputs for secret in SECRETS)

    assistant = Assistant(local_store, clock=fixed_clock(NOW))
    reply = assistant.respond(USER, None, "How did I do this week?")
    assert not reply.failed
    assert "13 posts" in reply.reply, reply.reply
    assert not any(secret in reply.reply for secret in SECRETS)


def test_sync_reports_a_failed_account_with_exit_status_1(
        run, local_store: Store, standins: StandIns) -> None:
    local_store.users.put(user(USER, timezone="UTC"))
    x = standins.states["twitter"]
    x.refuse_refresh = True
    run("accounts", "add", "--user", USER, "--platform", "twitter", "--account-id",
        x.account_id, "--access-token", "x-access-0", "--refresh-token", "x-refresh-0")
    result = run("sync", "--user", USER)
    assert result.exit_code == 1
    assert "reauth_required" in result.output
    assert "the platform refused the token refresh (invalid_request)" in result.output
    listed = run("accounts", "list", "--user", USER)
    assert "reauth_required (the platform refused the token refresh" in listed.output
    removed = run("accounts", "remove", "--user", USER, "--platform", "twitter",
                  "--account-id", x.account_id)
    assert removed.exit_code == 0
    assert local_store.accounts.sync_views(USER) == []
