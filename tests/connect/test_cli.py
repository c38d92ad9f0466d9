"""`cloudstro accounts connect PLATFORM --user ID`: the authorize link for a local setup."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result

import cloudstro.cli.accounts as accounts_cli
from cloudstro.cli.main import _register_optional_commands, cli
from cloudstro.config import fixed_clock
from cloudstro.ingest.oauth.flow import pending_connections
from cloudstro.store import Store
from cloudstro.store.oauth_states import PendingConnection
from tests.connect.test_begin import LINK_PREFIX, NOW, configured
from tests.support.builders import user


@pytest.fixture
def store(moto_store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    configured_store = Store(moto_store.dynamo, configured(moto_store))
    monkeypatch.setattr(accounts_cli, "open_store",
                        lambda quiet=False, batch=False: configured_store)
    monkeypatch.setattr(accounts_cli, "clock", fixed_clock(NOW))
    configured_store.users.put(user("ann"))
    return configured_store


def run(*args: str) -> Result:
    _register_optional_commands()
    return CliRunner().invoke(cli, ["accounts", "connect", *args])


def test_prints_the_link_bound_to_the_user(store: Store) -> None:
    result = run("x", "--user", "ann")

    assert result.exit_code == 0, result.output
    url = result.output.strip()
    assert url.startswith(LINK_PREFIX)
    pending = pending_connections(store).take(url.removeprefix(LINK_PREFIX), NOW)
    assert isinstance(pending, PendingConnection)
    assert (pending.userId, pending.platform) == ("ann", "twitter")


@pytest.mark.parametrize(("args", "words"), [
    (("twitter", "--user", "nobody"), "no user 'nobody'"),
    (("rednote", "--user", "ann"), "RedNote has no API"),
    (("myspace", "--user", "ann"), "unknown platform"),
])
def test_refusals_are_one_line(store: Store, args: tuple[str, ...], words: str) -> None:
    result = run(*args)
    assert result.exit_code != 0
    assert words in result.output
    assert "Traceback" not in result.output


def test_missing_client_id_names_the_setting(store: Store, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    bare = Store(store.dynamo, store.settings.model_copy(update={"tiktok_client_id": None}))
    monkeypatch.setattr(accounts_cli, "open_store", lambda quiet=False, batch=False: bare)
    result = run("tiktok", "--user", "ann")
    assert result.exit_code == 1
    assert "TIKTOK_CLIENT_ID is not set" in result.output
