"""Slack on Lambda has the server's gate and logging rule: unsigned → 401, signed garbage → 400,
no traceback and no message text in any log line.

The handler is driven the way Lambda calls it (a Function URL / API Gateway v2 event, or a REST
API v1 event with header names as sent), on the shared demo world.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

import pytest

import cloudstro.channels.slack.lambda_handler as lambda_module
from cloudstro.channels.http.logs import WITHHELD
from cloudstro.channels.slack.lambda_handler import build_handler
from tests.slack.test_cli_and_lambda import CONTEXT
from tests.slack.test_unsigned import SECRET_WORDS, UNSIGNED
from tests.support.slack import World, real_assistant, signed_headers

pytestmark = pytest.mark.integration

LambdaHandler = Any  # what `build_handler` returns: `handle(event, context)` like bolt's adapter


@pytest.fixture
def gated(slack_world: World) -> LambdaHandler:
    return build_handler(slack_world.store, real_assistant(slack_world), slack_world.settings)


def _event(body: bytes, headers: dict[str, str], *, base64_body: bool = True,
           method: str = "POST") -> dict:
    return {"requestContext": {"http": {"method": method}}, "isBase64Encoded": base64_body,
            "body": base64.b64encode(body).decode() if base64_body else body.decode(),
            "headers": dict(headers)}


def _assert_clean(caplog: pytest.LogCaptureFixture) -> None:
    assert not [record for record in caplog.records if record.exc_info], "no traceback"
    assert SECRET_WORDS not in caplog.text and SECRET_WORDS.replace(" ", "+") not in caplog.text


@pytest.mark.parametrize(("body", "headers"), UNSIGNED)
def test_unsigned_garbage_is_401_without_a_traceback(
        gated: LambdaHandler, caplog: pytest.LogCaptureFixture, body: bytes,
        headers: dict[str, str]) -> None:
    caplog.set_level(logging.DEBUG)
    response = gated.handle(_event(body, headers), CONTEXT)
    assert response["statusCode"] == 401, response
    error = json.loads(response["body"])["error"]
    assert error["code"] == "invalid_signature" and error["requestId"] == CONTEXT.aws_request_id
    _assert_clean(caplog)


@pytest.mark.parametrize("body", ["not json", "payload=not-json", "[1]", "null"])
def test_signed_garbage_is_a_400(gated: LambdaHandler,
                                 caplog: pytest.LogCaptureFixture, body: str) -> None:
    caplog.set_level(logging.DEBUG)
    content_type = ("application/x-www-form-urlencoded" if body.startswith("payload=")
                    else "application/json")
    event = _event(body.encode(), signed_headers(body, content_type=content_type),
                   base64_body=False)
    response = gated.handle(event, CONTEXT)
    assert response["statusCode"] == 400, response
    assert json.loads(response["body"])["error"]["code"] == "bad_request"
    assert not [record for record in caplog.records if record.exc_info]


def test_a_signed_request_with_header_names_as_sent_reaches_bolt(
        gated: LambdaHandler) -> None:
    """API Gateway's REST payload keeps `X-Slack-Signature` as the client wrote it."""
    body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "legacy"})
    headers = {name.title(): value for name, value in signed_headers(body).items()}
    response = gated.handle(_event(body.encode(), headers), CONTEXT)
    assert response["statusCode"] == 200, response
    assert "c-123" in response["body"]


def test_the_entry_point_configures_logging_without_message_text(
        gated: LambdaHandler, monkeypatch: pytest.MonkeyPatch, restore_logging: None,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(lambda_module, "_handler", None)
    monkeypatch.setattr(lambda_module, "build_handler", lambda: gated)
    unsigned = _event(SECRET_WORDS.encode(), {"content-type": "application/json"})
    assert lambda_module.handler(unsigned, CONTEXT)["statusCode"] == 401
    logging.getLogger("slack_bolt.RequestVerification").warning(
        "Invalid request signature detected (body: %s)", SECRET_WORDS)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [line["msg"] for line in lines if line["logger"].startswith("slack_bolt")] == [
        WITHHELD]
    assert SECRET_WORDS not in json.dumps(lines)


@pytest.mark.parametrize("event_body", [
    {"isBase64Encoded": True, "body": base64.b64encode(b"\xff\xfe\x00garbage").decode()},
    {"isBase64Encoded": True, "body": "not base64!"},
], ids=["not-utf8", "not-base64"])
def test_a_body_that_is_not_text_is_a_400(gated: LambdaHandler,
                                          caplog: pytest.LogCaptureFixture,
                                          event_body: dict) -> None:
    event = {**_event(b"", signed_headers("x")), **event_body}
    response = gated.handle(event, CONTEXT)
    assert response["statusCode"] == 400, response
    assert not [record for record in caplog.records if record.exc_info]
