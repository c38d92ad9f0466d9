"""The real server on 127.0.0.1 over DynamoDB Local, wired to the local OAuth providers.

The server's public origin (`CLOUDSTRO_PUBLIC_URL`, the redirect URI's origin) is its own
loopback address, known only once it listens, so it serves a late-bound app. Its clock is a
`MovableClock` set through the app's clock dependency: the states it issues expire by it and
the first sync measures posts by it, consistently with the posts each test seeds.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

import httpx
import pytest

from cloudstro.channels.app import create_app
from cloudstro.channels.http.connections import request_clock
from cloudstro.config import Settings
from cloudstro.store import Store
from cloudstro.store.dynamo import Dynamo
from cloudstro.store.local import LocalEngine
from cloudstro.store.tables import create_tables, delete_tables, table_specs
from tests.connect.provider import Authorizer, Providers, start_providers
from tests.support.builders import user
from tests.support.http_api import SECRET, auth
from tests.support.servers import LiveServer, start_server
from tests.support.settings import make_settings
from tests.support.standins import PlatformState, _LateBoundApp
from tests.support.sync import ACCOUNT_IDS, NOW


class MovableClock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@dataclass
class ConnectStack:
    settings: Settings
    store: Store
    server: LiveServer
    providers: Providers
    clock: MovableClock

    @property
    def url(self) -> str:
        return self.server.url

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)

    def state(self, platform: str) -> PlatformState:
        return self.providers.standins.states[platform]

    def authorizer(self, platform: str) -> Authorizer:
        return self.providers.authorizers[platform]

    def new_user(self) -> str:
        user_id = f"maker_{uuid.uuid4().hex[:8]}"
        self.store.users.put(user(user_id, timezone="UTC"))
        return user_id

    def start(self, client: httpx.Client, user_id: str, platform: str) -> str:
        """POST /v1/connections/{platform}: the authorize URL."""
        answer = client.post(f"/v1/connections/{platform}", headers=auth(user_id))
        assert answer.status_code == 200, answer.text
        return answer.json()["authorizeUrl"]

    def approve(self, client: httpx.Client, authorize_url: str) -> str:
        """The person approves on the platform: the callback URL it redirects the browser to."""
        answer = client.get(authorize_url, follow_redirects=False)
        assert answer.status_code == 302, answer.text
        return answer.headers["location"]

    def connect(self, client: httpx.Client, user_id: str, platform: str) -> httpx.Response:
        """The whole browser round trip: start, approve, come back to the callback."""
        return client.get(self.approve(client, self.start(client, user_id, platform)))


def account_path(platform: str, account_id: str) -> str:
    return f"/v1/connections/{quote(f'{platform}#{account_id}', safe='')}"


def wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not hold in time")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def running_stack(local_engine: LocalEngine, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[ConnectStack]:
    providers = start_providers(ACCOUNT_IDS)
    proxy = _LateBoundApp()
    server = start_server(proxy, lifespan="off")
    settings = make_settings(
        f"c{uuid.uuid4().hex[:8]}-", _env_file=None, DYNAMODB_ENDPOINT_URL=local_engine.endpoint,
        CLOUDSTRO_LLM="offline", AWS_REGION="us-east-1",
        CLOUDSTRO_DATA_DIR=str(tmp_path_factory.mktemp("connect-data")),
        CLOUDSTRO_PUBLIC_URL=server.url, CLOUDSTRO_RATE_LIMIT_PER_MINUTE="100000",
        CLOUDSTRO_STORE_WAIT_S="60", **providers.env).for_batch()  # patient on a busy machine
    dynamo = Dynamo(settings)
    create_tables(dynamo)
    store = Store(dynamo, settings)
    clock = MovableClock(NOW)
    app = create_app(settings, store, auth_secret=SECRET)
    app.dependency_overrides[request_clock] = lambda: clock
    proxy.app = app
    try:
        yield ConnectStack(settings, store, server, providers, clock)
    finally:
        server.stop()
        providers.stop()
        delete_tables(dynamo, table_specs(settings))


@pytest.fixture
def stack(running_stack: ConnectStack) -> ConnectStack:
    running_stack.providers.reset(ACCOUNT_IDS)
    running_stack.clock.moment = NOW
    return running_stack
