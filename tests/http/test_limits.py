"""Limits and failures: too big, too long, too fast, too slow, store down; one error shape."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from pydantic import PrivateAttr

from cloudstro.agent.offline import OfflineChatModel
from cloudstro.agent.service import Assistant
from cloudstro.channels.app import create_app
from tests.support.http_api import SECRET, USERS, ApiStack, auth, parse_sse
from tests.support.servers import start_server
from tests.support.settings import make_settings

pytestmark = pytest.mark.integration

ALICE = USERS[0]


def _error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"] and error["requestId"] == response.headers["x-request-id"]
    return error


def test_message_over_the_limit_is_413(api: ApiStack) -> None:
    too_long = "a" * (api.settings.max_message_chars + 1)
    with api.client() as client:
        plain = client.post("/v1/chat", json={"message": too_long}, headers=auth(ALICE))
        streamed = client.post("/v1/chat/stream", json={"message": too_long},
                               headers=auth(ALICE))
        at_limit = client.post("/v1/chat", headers=auth(ALICE), json={
            "message": "x" * api.settings.max_message_chars})
    assert "4001 characters" in _error(plain, 413, "message_too_long")["message"]
    _error(streamed, 413, "message_too_long")
    assert at_limit.status_code == 200


def test_body_over_the_cap_is_413_before_anything_is_parsed(api: ApiStack) -> None:
    huge = b'{"message": "' + b"a" * 70_000 + b'"}'

    def chunks():
        for start in range(0, len(huge), 8192):
            yield huge[start:start + 8192]

    with api.client() as client:
        declared = client.post("/v1/chat", content=huge, headers={
            **auth(ALICE), "content-type": "application/json"})
        chunked = client.post("/v1/chat", content=chunks(), headers={
            **auth(ALICE), "content-type": "application/json"})
        anonymous = client.post("/v1/chat", content=huge,
                                headers={"content-type": "application/json"})
    for response in (declared, chunked, anonymous):
        _error(response, 413, "body_too_large")


@pytest.mark.parametrize(("body", "code", "status"), [
    ({"message": ""}, "validation_error", 422),
    ({"message": "   \n "}, "empty_message", 422),
    ({}, "validation_error", 422),
    ({"message": 42}, "validation_error", 422),
    ({"message": "hi", "threadId": "a/b"}, "validation_error", 422),
    ({"message": "hi", "threadId": "x" * 129}, "validation_error", 422),
    ({"message": "hi", "threadId": ""}, "validation_error", 422),
    ({"message": "hi", "unexpected": 1}, "validation_error", 422),
])
def test_bad_bodies_get_a_clear_422(api: ApiStack, body: dict, code: str, status: int) -> None:
    with api.client() as client:
        response = client.post("/v1/chat", json=body, headers=auth(ALICE))
    error = _error(response, status, code)
    if code == "validation_error":
        assert error["details"] and all("loc" in d and "msg" in d for d in error["details"])


def test_not_json_and_bad_thread_path_are_422(api: ApiStack) -> None:
    with api.client() as client:
        garbage = client.post("/v1/chat", content=b"{not json",
                              headers={**auth(ALICE), "content-type": "application/json"})
        path = client.get("/v1/threads/" + "t" * 129, headers=auth(ALICE))
        surrogate = client.post("/v1/chat", content=rb'{"message": "hi \ud800"}',
                                headers={**auth(ALICE), "content-type": "application/json"})
    _error(garbage, 422, "validation_error")
    assert _error(surrogate, 422, "validation_error")["message"].startswith("message:")
    _error(path, 422, "validation_error")


def test_rate_limit_is_429_with_retry_after(api: ApiStack) -> None:
    with api.variant(rate_limit_per_minute=3) as url, httpx.Client(base_url=url,
                                                                   timeout=30) as client:
        statuses = [client.get("/v1/threads/none", headers=auth(ALICE)).status_code
                    for _ in range(3)]
        limited = client.post("/v1/chat", json={"message": "How did I do?"},
                              headers=auth(ALICE))
        other_user = client.get("/v1/threads/none", headers=auth(USERS[1]))
    assert statuses == [404, 404, 404]
    _error(limited, 429, "rate_limited")
    assert 1 <= int(limited.headers["retry-after"]) <= 20  # 3/minute refills one in 20 s
    assert other_user.status_code == 404, "each user has their own budget"


HOLD_S = 20.0  # how long a held turn waits at most; the client gives up at half of it


class HeldModel(OfflineChatModel):
    """A model whose every reply waits until the test releases it: a turn that outlives its
    deadline for as long as the test wants, with no race against a sleep."""

    _entered: threading.Event = PrivateAttr(default_factory=threading.Event)
    _released: threading.Event = PrivateAttr(default_factory=threading.Event)

    def _reply(self, messages: Any) -> Any:
        self._entered.set()
        self._released.wait(HOLD_S)
        return super()._reply(messages)

    @property
    def entered(self) -> bool:
        return self._entered.is_set()

    def release(self) -> None:
        self._released.set()


def test_turn_over_the_time_limit_is_504_and_the_stream_says_so(api: ApiStack) -> None:
    held = HeldModel()
    with api.variant(assistant=Assistant(api.store, model=held), turn_timeout_s=0.5) as url, \
            httpx.Client(base_url=url, timeout=HOLD_S / 2) as client:
        try:
            # The model holds every turn until released below, longer than the client waits:
            # an answer at all means the API answered at the deadline, not when the turn ended.
            plain = client.post("/v1/chat", json={"message": "How did I do?"},
                                headers=auth(ALICE))
            reached_the_model = held.entered
            streamed = client.post("/v1/chat/stream", json={"message": "How did I do?"},
                                   headers=auth(ALICE))
        finally:
            held.release()
    assert reached_the_model, "the turn was still running in the model when the 504 came"
    assert "0.5 seconds" in _error(plain, 504, "turn_timeout")["message"]
    assert streamed.status_code == 200
    name, data = parse_sse(streamed.text)[-1]
    assert name == "error" and data["error"]["code"] == "turn_timeout"


def test_health_is_503_when_the_store_does_not_answer(api: ApiStack, local_engine) -> None:
    broken = make_settings("missing-", _env_file=None,
                           DYNAMODB_ENDPOINT_URL=local_engine.endpoint, CLOUDSTRO_LLM="offline")
    server = start_server(create_app(broken, auth_secret=SECRET))
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            health = client.get("/healthz")
            chat = client.post("/v1/chat", json={"message": "hi"}, headers=auth(ALICE))
    finally:
        server.stop()
    assert "does not exist" not in _error(health, 503, "store_unavailable")["message"]
    _error(chat, 503, "store_unavailable")
    assert chat.headers["retry-after"]
