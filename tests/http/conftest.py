"""A real uvicorn server on 127.0.0.1 over DynamoDB Local, shared by the HTTP tests.

The module's stack has its own freshly named tables and demo data for ten users; tests that
need other limits (a low rate limit, a short timeout) start a second server on the same
store with adjusted settings, which costs a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cloudstro.channels.app import create_app
from cloudstro.store import Store
from cloudstro.store.demo import default_until, seed_demo
from cloudstro.store.dynamo import Dynamo
from cloudstro.store.local import LocalEngine
from cloudstro.store.tables import delete_tables, table_specs
from tests.support.http_api import SECRET, USERS, ApiStack, stack_settings
from tests.support.servers import start_server
from tests.support.tables import create_unswept_tables


@pytest.fixture(scope="session")
def api(local_engine: LocalEngine, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[ApiStack]:
    settings = stack_settings(local_engine, tmp_path_factory.mktemp("api-data"))
    dynamo = Dynamo(settings)
    create_unswept_tables(dynamo)
    store = Store(dynamo, settings)
    seed_demo(store, users=len(USERS), days=10, seed=7, until=default_until())
    server = start_server(create_app(settings, store, auth_secret=SECRET))
    try:
        yield ApiStack(settings, store, server)
    finally:
        server.stop()
        delete_tables(dynamo, table_specs(settings))
