"""`cloudstro ask` and `cloudstro chat` while DynamoDB does not answer: one clear line, exit 1.

Refused connections come from a loopback port nobody listens on; an outage in the middle of a
conversation from DynamoDB Local behind a proxy that goes down while the model thinks.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import click
import pytest
from click.testing import CliRunner, Result

import cloudstro.cli.chat as chat_cli
from cloudstro.agent.service import APOLOGY, Assistant
from cloudstro.cli.main import _register_optional_commands, cli
from cloudstro.config import get_settings
from cloudstro.store import Store
from cloudstro.store.demo import seed_demo
from cloudstro.store.local import LocalEngine
from tests.support.flaky_proxy import FlakyProxy
from tests.support.outage_model import OutageWhileThinking
from tests.support.servers import free_port

QUESTION = "How did I do this week?"


@pytest.fixture
def command() -> click.Group:
    _register_optional_commands()
    return cli


@pytest.fixture
def dynamodb_down(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DYNAMODB_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    get_settings.cache_clear()


def _assert_one_clear_line(result: Result) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), "an error message, not a traceback"
    assert "Error: cannot reach DynamoDB at http://127.0.0.1:" in result.output
    assert "Traceback" not in result.output and APOLOGY not in result.output


def test_ask_with_dynamodb_down(command: click.Group, dynamodb_down: None) -> None:
    result = CliRunner().invoke(command, ["ask", "--user", "demo_user_000", QUESTION])
    _assert_one_clear_line(result)


def test_ask_as_json_with_dynamodb_down(command: click.Group, dynamodb_down: None) -> None:
    result = CliRunner().invoke(command, ["ask", "--json", "--user", "demo_user_000",
                                          QUESTION])
    _assert_one_clear_line(result)
    assert '"reply"' not in result.output


def test_chat_with_dynamodb_down(command: click.Group, dynamodb_down: None) -> None:
    result = CliRunner().invoke(command, ["chat", "--user", "demo_user_000"],
                                input=QUESTION + "\n")
    _assert_one_clear_line(result)


@pytest.fixture
def outage_mid_chat(local_store: Store, local_engine: LocalEngine,
                    monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The chat's store reaches DynamoDB Local through a proxy the model takes down."""
    seed_demo(local_store, users=1, days=3, seed=3, until=datetime(2026, 11, 25, tzinfo=UTC))
    proxy = FlakyProxy(local_engine.port)
    monkeypatch.setenv("DYNAMODB_ENDPOINT_URL", proxy.url)
    get_settings.cache_clear()
    monkeypatch.setattr(chat_cli, "_assistant", lambda store: Assistant(
        store, model=OutageWhileThinking(take_store_down=proxy.down)))
    try:
        yield
    finally:
        proxy.close()


@pytest.mark.integration
def test_chat_when_dynamodb_fails_in_the_middle_of_a_turn(command: click.Group,
                                                          outage_mid_chat: None) -> None:
    result = CliRunner().invoke(command, ["chat", "--user", "demo_user_000", "--thread", "t1"],
                                input=QUESTION + "\n")
    _assert_one_clear_line(result)
    assert "continue later with --thread t1" in result.output
