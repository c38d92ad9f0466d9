"""`users set-timezone`: a zone is checked before anything is written, and a valid one
recomputes the stored best hours in it, as the App Home form does."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import cloudstro.cli.users_timezone as timezone_cli
from cloudstro.cli.main import _register_optional_commands, cli
from cloudstro.insights import refresh_user
from cloudstro.store import Store
from tests.insights.data import NOW, USER, timing_posts
from tests.support.builders import profile


@pytest.fixture
def run(moto_store: Store, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(timezone_cli, "open_store", lambda quiet=False, batch=False: moto_store)
    monkeypatch.setattr(timezone_cli, "clock", lambda: NOW)
    _register_optional_commands()
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def new_yorker(moto_store: Store) -> Store:
    moto_store.users.put(profile(timezone="America/New_York"))
    moto_store.posts.put_many(timing_posts(120, platform="twitter"))
    refresh_user(moto_store, USER, NOW)
    return moto_store


def _stored_best(store: Store) -> dict[str, object]:
    insight = store.insights.get(USER, "optimal_timing_all")
    assert insight is not None
    return insight.data


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "EST5EDT; DROP", ""])
def test_an_unknown_zone_is_refused_and_nothing_changes(run, new_yorker: Store,
                                                        zone: str) -> None:
    before = _stored_best(new_yorker)
    result = run("users", "set-timezone", "--user", USER, zone)
    assert result.exit_code == 2
    assert "TIMEZONE" in result.output and "timezone" in result.output.lower()
    stored = new_yorker.users.get(USER)
    assert stored is not None and stored.zone == "America/New_York"
    assert _stored_best(new_yorker) == before


def test_an_unknown_user_is_an_error(run) -> None:
    result = run("users", "set-timezone", "--user", "ghost", "Asia/Tokyo")
    assert result.exit_code == 1 and "no user 'ghost'" in result.output


def test_a_new_zone_is_stored_and_the_best_hours_are_recomputed_in_it(
        run, new_yorker: Store) -> None:
    assert _stored_best(new_yorker)["optimalTimes"][0] == "18:00"  # type: ignore[index]
    result = run("users", "set-timezone", "--user", USER, "Asia/Tokyo")
    assert result.exit_code == 0, result.output
    assert "now Asia/Tokyo (was America/New_York)" in result.output
    stored = new_yorker.users.get(USER)
    assert stored is not None and stored.zone == "Asia/Tokyo"
    best = _stored_best(new_yorker)
    assert best["timezone"] == "Asia/Tokyo"
    # 18:00 in New York is 07:00 or 08:00 in Tokyo, depending on daylight saving.
    assert best["optimalTimes"][0] in {"07:00", "08:00"}  # type: ignore[index]


def test_the_same_zone_again_changes_nothing(run, new_yorker: Store) -> None:
    before = _stored_best(new_yorker)
    result = run("users", "set-timezone", "--user", USER, "America/New_York")
    assert result.exit_code == 0 and "already on America/New_York" in result.output
    assert _stored_best(new_yorker) == before
