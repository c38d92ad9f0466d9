"""Unsigned or garbled requests to /slack/events: a clean 401 or 400, never a 500.

Whatever arrives without Slack's signature is refused before a byte of it is parsed, with no
traceback and none of its text in any log line (the request body may carry a user's message).
"""

from __future__ import annotations

import json
import logging
import time

import httpx
import pytest

from tests.support.slack import Served, dm, new_channel, signed_headers

pytestmark = pytest.mark.integration

SECRET_WORDS = "my secret launch plan"
NOW = str(int(time.time()))
JSON_BODY = json.dumps(dm(new_channel(), SECRET_WORDS))
FORM_BODY = "payload=" + SECRET_WORDS.replace(" ", "+")

UNSIGNED = [
    pytest.param(b"not json " + SECRET_WORDS.encode(), {"content-type": "application/json"},
                 id="not-json"),
    pytest.param(FORM_BODY.encode(), {"content-type": "application/x-www-form-urlencoded"},
                 id="form-payload-not-json"),
    pytest.param(b"command=/x&text=" + SECRET_WORDS.encode(),
                 {"content-type": "application/x-www-form-urlencoded"}, id="form"),
    pytest.param(b"", {}, id="empty"),
    pytest.param(b"", {"content-type": "application/json"}, id="empty-json"),
    pytest.param(JSON_BODY.encode(), {"content-type": "application/json"}, id="no-headers"),
    pytest.param(JSON_BODY.encode(), {"content-type": "application/json",
                                      "x-slack-request-timestamp": "soon",
                                      "x-slack-signature": "v0=zz"}, id="junk-headers"),
    pytest.param(JSON_BODY.encode(), {"content-type": "application/json",
                                      "x-slack-request-timestamp": NOW}, id="no-signature"),
    pytest.param(JSON_BODY.encode(), {"content-type": "application/json",
                                      "x-slack-signature": "v0=" + "0" * 64},
                 id="no-timestamp"),
    pytest.param(b"not json " + SECRET_WORDS.encode(),
                 {"content-type": "application/json", "x-slack-request-timestamp": NOW,
                  "x-slack-signature": "v0=" + "1" * 64}, id="wrong-signature-not-json"),
]


@pytest.mark.parametrize(("body", "headers"), UNSIGNED)
def test_unsigned_garbage_is_401_without_a_traceback(
        served: Served, caplog: pytest.LogCaptureFixture, body: bytes,
        headers: dict[str, str]) -> None:
    caplog.set_level(logging.DEBUG)
    response = httpx.post(f"{served.url}/slack/events", content=body, headers=headers,
                          timeout=10)
    assert response.status_code == 401, response.text
    assert not [record for record in caplog.records if record.exc_info], \
        "no traceback for a refused request"
    assert SECRET_WORDS not in caplog.text and SECRET_WORDS.replace(" ", "+") not in caplog.text


@pytest.mark.parametrize("body", ["not json", "payload=not-json", "[1]", "null"])
def test_signed_garbage_is_a_400_not_a_500(served: Served, caplog: pytest.LogCaptureFixture,
                                           body: str) -> None:
    """Only Slack can sign; if it ever sends something unreadable, that is still no crash."""
    caplog.set_level(logging.DEBUG)
    content_type = ("application/x-www-form-urlencoded" if body.startswith("payload=")
                    else "application/json")
    response = httpx.post(f"{served.url}/slack/events", content=body, timeout=10,
                          headers=signed_headers(body, content_type=content_type))
    assert response.status_code == 400, response.text
    assert not [record for record in caplog.records if record.exc_info]
