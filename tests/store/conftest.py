"""Data-layer test fixtures: one `store` over both engines, and request capture.

`store` runs each repository test twice: on moto (fast, in-process) and on DynamoDB Local
(AWS's own engine, marked `integration`), so the same assertions hold on both.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cloudstro.store import Store
from tests.support.request_log import RequestLog


@pytest.fixture(params=["moto", pytest.param("local", marks=pytest.mark.integration)])
def store(request: pytest.FixtureRequest) -> Store:
    """The same Store API on moto and on DynamoDB Local; the meter starts at zero."""
    chosen: Store = request.getfixturevalue(f"{request.param}_store")
    chosen.dynamo.meter.reset()
    return chosen


@pytest.fixture
def request_log(store: Store) -> Iterator[RequestLog]:
    log = RequestLog()
    events = store.dynamo.client.meta.events
    events.register("before-call.dynamodb", log.record, unique_id="test-request-log")
    yield log
    events.unregister("before-call.dynamodb", unique_id="test-request-log")
