"""`cloudstro sync --all` and the commands' refusals, on moto."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from cloudstro.store import Store
from tests.support.standins import StandIns
from tests.support.sync import connect, seed_posts, sync_cli_runner


@pytest.fixture
def run(moto_store: Store, standins: StandIns, monkeypatch: pytest.MonkeyPatch):
    return sync_cli_runner(moto_store, standins, monkeypatch)


def test_sync_all_covers_every_users_active_accounts(run, moto_store: Store,
                                                     standins: StandIns) -> None:
    x, tiktok = standins.states["twitter"], standins.states["tiktok"]
    seed_posts(x, 3)
    seed_posts(tiktok, 2)
    connect(moto_store, x, "twitter", user_id="ann", expires_in=timedelta(days=1))
    connect(moto_store, tiktok, "tiktok", user_id="bob", expires_in=timedelta(days=1))
    result = run("sync", "--all", "--json", "--workers", "2")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert sorted((a["userId"], a["newPosts"]) for a in summary["accounts"]) == [
        ("ann", 3), ("bob", 2)]


@pytest.mark.parametrize("args", [["sync"], ["sync", "--user", "ann", "--all"]])
def test_sync_needs_exactly_one_of_user_or_all(run, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2 and "exactly one of --user ID or --all" in result.output


def test_accounts_add_refuses_unknown_users_platforms_and_empty_tokens(
        run, moto_store: Store) -> None:
    base = ["accounts", "add", "--platform", "tiktok", "--account-id", "1"]
    unknown_user = run(*base, "--user", "ghost", "--access-token", "tok-secret")
    assert unknown_user.exit_code == 1 and "no user 'ghost'" in unknown_user.output
    unknown_platform = run("accounts", "add", "--user", "ann", "--platform", "myspace",
                           "--account-id", "1", "--access-token", "tok-secret")
    assert unknown_platform.exit_code == 2 and "unknown platform 'myspace'" in (
        unknown_platform.output)
    empty = run(*base, "--user", "ann", "--no-check-user", "--access-token", "-", stdin="\n")
    assert empty.exit_code == 2 and "the access token is empty" in empty.output
    outputs = unknown_user.output + unknown_platform.output + empty.output
    assert "tok-secret" not in outputs
    assert moto_store.accounts.sync_views("ann") == []
