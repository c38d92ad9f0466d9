"""DynamoDB down or hanging: every route answers 503 `store_unavailable` within seconds.

The server under test reaches the session's DynamoDB Local through a proxy that can refuse
connections (down) or accept them and answer nothing (paused), with the product's default
timeouts and retry budget. Each test also shows the server recovers when DynamoDB is back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from cloudstro.agent.service import Assistant
from cloudstro.channels.app import create_app
from cloudstro.store import Store
from cloudstro.store.dynamo import Dynamo
from cloudstro.store.errors import (
    ConditionFailedError,
    StoreRequestRefusedError,
    StoreUnavailableError,
)
from cloudstro.store.local import LocalEngine
from tests.support.flaky_proxy import FlakyProxy
from tests.support.http_api import SECRET, USERS, ApiStack, auth, parse_sse
from tests.support.outage_model import OutageWhileThinking
from tests.support.servers import LiveServer, start_server

pytestmark = pytest.mark.integration

# "Within a few seconds": the default budget (two attempts of at most 2 s reads) answers in
# about 5 s; anything near the old 140 s hang fails by far.
FEW_SECONDS = 8.0


@dataclass
class OutageStack:
    proxy: FlakyProxy
    server: LiveServer

    def client(self) -> httpx.Client:
        # Longer than any bounded answer, far shorter than the hang this guards against.
        return httpx.Client(base_url=self.server.url, timeout=30)


@pytest.fixture
def outage(api: ApiStack, local_engine: LocalEngine) -> Iterator[OutageStack]:
    proxy = FlakyProxy(local_engine.port)
    settings = api.settings.model_copy(update={"dynamodb_endpoint_url": proxy.url})
    store = Store(Dynamo(settings), settings)
    server = start_server(create_app(settings, store, auth_secret=SECRET))
    try:
        yield OutageStack(proxy, server)
    finally:
        proxy.close()
        server.stop()


def _timed(call: Any) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = call()
    return response, time.perf_counter() - started


def _assert_store_unavailable(response: httpx.Response, took: float) -> None:
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "store_unavailable"
    assert 1 <= int(response.headers["retry-after"]) <= 5
    assert took < FEW_SECONDS, f"answered after {took:.1f} s"


def _thread_history_is_503_between(outage: OutageStack, user: str, fail: Callable[[], None],
                                   heal: Callable[[], None]) -> None:
    """A 404 before `fail`, a prompt 503 until `heal`, a 404 again after it."""
    with outage.client() as client:
        assert client.get("/v1/threads/none", headers=auth(user)).status_code == 404
        fail()
        response, took = _timed(lambda: client.get("/v1/threads/none", headers=auth(user)))
        _assert_store_unavailable(response, took)
        heal()
        assert client.get("/v1/threads/none", headers=auth(user)).status_code == 404


def test_thread_history_is_503_while_dynamodb_is_down(outage: OutageStack) -> None:
    _thread_history_is_503_between(outage, USERS[0], outage.proxy.down, outage.proxy.up)


def test_thread_history_is_503_not_a_hang_while_dynamodb_is_paused(
        outage: OutageStack) -> None:
    _thread_history_is_503_between(outage, USERS[1], outage.proxy.pause, outage.proxy.resume)


def test_chat_from_a_user_not_yet_known_is_503_while_dynamodb_is_paused(
        outage: OutageStack) -> None:
    """The wait is in the sign-in check, before the turn's own timeout applies."""
    outage.proxy.pause()
    with outage.client() as client:
        response, took = _timed(lambda: client.post(
            "/v1/chat", json={"message": "How did I do?"}, headers=auth(USERS[2])))
        _assert_store_unavailable(response, took)
        outage.proxy.resume()
        again = client.post("/v1/chat", json={"message": "How did I do?"},
                            headers=auth(USERS[2]))
    assert again.status_code == 200, again.text


ASK = {"message": "How did I do this week?"}
RECOVERY = {"down": "up", "pause": "resume"}


@pytest.mark.parametrize("failure", ["down", "pause"])
@pytest.mark.parametrize("route", ["/v1/chat", "/v1/chat/stream"])
def test_chat_from_a_known_user_is_503_during_an_outage(outage: OutageStack, route: str,
                                                       failure: str) -> None:
    """The sign-in check is answered from the cache; the turn itself meets the outage."""
    with outage.client() as client:
        first = client.post("/v1/chat", json=ASK, headers=auth(USERS[3]))
        assert first.status_code == 200 and not first.json()["failed"], first.text
        getattr(outage.proxy, failure)()
        response, took = _timed(lambda: client.post(route, json=ASK, headers=auth(USERS[3])))
        _assert_store_unavailable(response, took)
        getattr(outage.proxy, RECOVERY[failure])()
        again = client.post(route, json=ASK, headers=auth(USERS[3]))
    assert again.status_code == 200, again.text


def test_an_outage_after_the_stream_began_ends_it_with_an_error_event(
        api: ApiStack, outage: OutageStack) -> None:
    """DynamoDB goes down while the model works out its first step: the tool events are
    already out (status 200), so the stream ends with `error` / store_unavailable."""
    settings = api.settings.model_copy(update={"dynamodb_endpoint_url": outage.proxy.url})
    store = Store(Dynamo(settings), settings)
    assistant = Assistant(store, settings,
                          model=OutageWhileThinking(take_store_down=outage.proxy.down))
    server = start_server(create_app(settings, store, assistant, auth_secret=SECRET))
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            response, took = _timed(lambda: client.post("/v1/chat/stream", json=ASK,
                                                        headers=auth(USERS[4])))
    finally:
        server.stop()
    assert response.status_code == 200, response.text
    events = parse_sse(response.text)
    names = [name for name, _ in events]
    assert names[:-1] and set(names[:-1]) == {"tool"}, names
    assert names[-1] == "error" and events[-1][1]["error"]["code"] == "store_unavailable"
    assert took < FEW_SECONDS, f"ended after {took:.1f} s"


@pytest.mark.parametrize("failure", ["down", "pause"])
def test_health_is_503_within_seconds(outage: OutageStack, failure: str) -> None:
    getattr(outage.proxy, failure)()
    with outage.client() as client:
        response, took = _timed(lambda: client.get("/healthz"))
    _assert_store_unavailable(response, took)


# ---------------------------------------------------------------------- the one mapping

def _client_error(code: str, status: int) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "x"},
                        "ResponseMetadata": {"HTTPStatusCode": status}}, "Query")


@pytest.mark.parametrize("failure", [
    EndpointConnectionError(endpoint_url="http://127.0.0.1:1"),
    ConnectTimeoutError(endpoint_url="http://127.0.0.1:1"),
    ReadTimeoutError(endpoint_url="http://127.0.0.1:1"),
    ConnectionClosedError(endpoint_url="http://127.0.0.1:1"),
    _client_error("InternalServerError", 500),
    _client_error("ServiceUnavailable", 503),
    _client_error("ThrottlingException", 400),
    _client_error("ProvisionedThroughputExceededException", 400),
], ids=lambda failure: type(failure).__name__ + getattr(failure, "operation_name", ""))
def test_every_transient_sdk_failure_is_the_stores_unavailable_error(
        failure: Exception) -> None:
    dynamo = Dynamo(endpoint_url="http://127.0.0.1:1", use_local=True)
    with pytest.raises(StoreUnavailableError), dynamo.translate_errors("cloudstro-users"):
        raise failure


def test_a_client_mistake_is_not_an_outage() -> None:
    """A failed condition or a refused request is the store's own error (botocore's never
    leaves the store), and not one that says "try again shortly"."""
    dynamo = Dynamo(endpoint_url="http://127.0.0.1:1", use_local=True)
    with pytest.raises(ConditionFailedError) as failed, \
            dynamo.translate_errors("cloudstro-users"):
        raise _client_error("ConditionalCheckFailedException", 400)
    with pytest.raises(StoreRequestRefusedError) as refused, \
            dynamo.translate_errors("cloudstro-users"):
        raise _client_error("ValidationException", 400)
    assert refused.value.code == "ValidationException"
    for error in (failed.value, refused.value):
        assert not isinstance(error, StoreUnavailableError)
        assert isinstance(error.__cause__, ClientError)
