"""The real server on 127.0.0.1 over DynamoDB Local, wired to the local OAuth providers.

The server's public origin (`CLOUDSTRO_PUBLIC_URL`, the redirect URI's origin) is its own
loopback address, known only once it listens, so it serves a late-bound app. Its clock is a
`MovableClock` set through the app's clock dependency: the states it issues expire by it and
the first sync measures posts by it, consistently with the posts each test seeds.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from cloudstro.channels.app import create_app
from cloudstro.channels.http.connections import request_clock
from cloudstro.store import Store
from cloudstro.store.dynamo import Dynamo
from cloudstro.store.local import LocalEngine
from cloudstro.store.tables import delete_tables, table_specs
from tests.connect.provider import start_providers
from tests.support.connect import ConnectStack, MovableClock
from tests.support.http_api import SECRET
from tests.support.servers import start_server
from tests.support.settings import make_settings
from tests.support.standins import _LateBoundApp
from tests.support.sync import ACCOUNT_IDS, NOW
from tests.support.tables import create_unswept_tables


@contextmanager
def open_stack(local_engine: LocalEngine, data_dir: Path, clock: MovableClock,
               **env: str) -> Iterator[ConnectStack]:
    """The server and the local providers on fresh tables; `env` adds settings (Slack sign-in)."""
    providers = start_providers(ACCOUNT_IDS)
    proxy = _LateBoundApp()
    server = start_server(proxy, lifespan="off")
    settings = make_settings(
        f"c{uuid.uuid4().hex[:8]}-", _env_file=None, DYNAMODB_ENDPOINT_URL=local_engine.endpoint,
        CLOUDSTRO_LLM="offline", AWS_REGION="us-east-1", CLOUDSTRO_DATA_DIR=str(data_dir),
        CLOUDSTRO_PUBLIC_URL=server.url, CLOUDSTRO_RATE_LIMIT_PER_MINUTE="100000",
        CLOUDSTRO_STORE_WAIT_S="60", **providers.env, **env).for_batch()  # patient when busy
    dynamo = Dynamo(settings)
    create_unswept_tables(dynamo)
    store = Store(dynamo, settings)
    app = create_app(settings, store, auth_secret=SECRET)
    app.dependency_overrides[request_clock] = lambda: clock
    proxy.app = app
    try:
        yield ConnectStack(settings, store, server, providers, clock)
    finally:
        server.stop()
        providers.stop()
        delete_tables(dynamo, table_specs(settings))


@pytest.fixture(scope="module")
def running_stack(local_engine: LocalEngine, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[ConnectStack]:
    with open_stack(local_engine, tmp_path_factory.mktemp("connect-data"),
                    MovableClock(NOW)) as stack:
        yield stack


@pytest.fixture
def stack(running_stack: ConnectStack) -> ConnectStack:
    running_stack.providers.reset(ACCOUNT_IDS)
    running_stack.clock.moment = NOW
    return running_stack
