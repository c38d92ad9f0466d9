"""`users set-digest` validation, `digest preview` and `digest run-due` from the command line."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

import cloudstro.cli.digest as digest_cli
import cloudstro.cli.users_digest as users_cli
from cloudstro.cli.main import _register_optional_commands, cli
from cloudstro.config import get_settings
from cloudstro.store import Store
from tests.support.builders import add_posts, add_user, user
from tests.support.constants import NOW
from tests.support.images import png_size
from tests.support.mock_slack import MockSlack


@pytest.fixture
def run(moto_store: Store, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(users_cli, "open_store", lambda quiet=False, batch=False: moto_store)
    monkeypatch.setattr(digest_cli, "open_store", lambda quiet=False, batch=False: moto_store)
    _register_optional_commands()
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize(("args", "problem"), [
    (["--time", "25:00"], "'25:00' is not a 24-hour time"),
    (["--time", "9am"], "'9am' is not a 24-hour time"),
    (["--day", "Funday"], "'Funday' is not a weekday"),
    (["--cadence", "hourly"], "'hourly' is not one of 'daily', 'weekly'"),
    (["--channel", "#general"], "'#general' is not a Slack channel id"),
    (["--channel", "C0ABCDEFG1", "--dm"], "either --channel or --dm"),
    ([], "nothing to change"),
])
def test_bad_digest_settings_are_refused_and_nothing_is_written(
        run, moto_store: Store, args: list[str], problem: str) -> None:
    moto_store.users.put(user("alice", timezone="Europe/London"))
    result = run("users", "set-digest", "--user", "alice", *args)
    assert result.exit_code == 2
    assert problem in result.output
    profile = moto_store.users.get("alice")
    assert profile is not None and profile.digest is None


def test_unknown_user_is_an_error(run) -> None:
    result = run("users", "set-digest", "--user", "ghost", "--enabled")
    assert result.exit_code == 1 and "no user 'ghost'" in result.output


def test_set_digest_merges_and_normalises(run, moto_store: Store) -> None:
    moto_store.users.put(user("alice", timezone="Europe/London", slackUserId="U0ALICE"))
    result = run("users", "set-digest", "--user", "alice", "--enabled", "--cadence", "weekly",
                 "--day", "fri", "--time", "7:05")
    assert result.exit_code == 0, result.output
    assert "every Friday at 07:05 (Europe/London), to a DM to U0ALICE" in result.output
    assert run("users", "set-digest", "--user", "alice", "--channel", "C0ABCDEFG1").exit_code == 0
    profile = moto_store.users.get("alice")
    assert profile is not None
    prefs = profile.digest
    assert prefs is not None
    assert (prefs.enabled, prefs.cadence, prefs.dayOfWeek, prefs.time, prefs.slackChannel) == (
        True, "weekly", "Friday", "07:05", "C0ABCDEFG1")
    run("users", "set-digest", "--user", "alice", "--dm")
    profile = moto_store.users.get("alice")
    assert profile is not None and profile.digest is not None
    assert profile.digest.slackChannel is None


def test_preview_prints_the_digest_and_writes_the_chart(run, moto_store: Store,
                                                        tmp_path: Path) -> None:
    add_user(moto_store, "p1", timezone="Asia/Tokyo")
    add_posts(moto_store, "p1", "tiktok", NOW - timedelta(days=12), 20, every=timedelta(hours=13))
    result = run("digest", "preview", "--user", "p1", "--out", str(tmp_path / "charts"),
                 "--now", "2026-11-24T12:00:00Z")
    assert result.exit_code == 0, result.output
    assert "interactions on" in result.output and "TikTok" in result.output
    charts = list((tmp_path / "charts").glob("*.png"))
    assert [c.name for c in charts] == ["digest-p1-weekly-2026-11-23.png"]
    assert png_size(charts[0].read_bytes())[0] > 700


def test_run_due_sends_at_the_given_time(run, moto_store: Store,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    add_user(moto_store, "r1", slack_user="U0R1", cadence="daily", time="09:00")
    assert run("digest", "run-due", "--now", "2026-11-24T08:00").exit_code == 2  # no offset
    with MockSlack() as slack:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
        monkeypatch.setenv("SLACK_API_URL", slack.base_url)
        get_settings.cache_clear()
        result = run("digest", "run-due", "--now", "2026-11-24T09:00:00+00:00")
        assert result.exit_code == 0, result.output
        assert "sent 1" in result.output
        assert [c.params["channel"] for c in slack.calls_to("chat.postMessage")] == ["U0R1"]
