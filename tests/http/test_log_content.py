"""No log line carries message text, whichever logger writes it: ours or a library's.

The guarantee is installed by `configure_logging`, the function every server entry point
calls; these tests install it the same way and restore the process's logging afterwards.
"""

from __future__ import annotations

import json
import logging

import pytest

from cloudstro.channels.http.logs import (
    WITHHELD,
    configure_logging,
    install_content_free_records,
)
from cloudstro.store.errors import StoreUnreachableError

SECRET_WORDS = "my secret launch plan"


def _fail_on(text: str) -> None:
    try:
        json.loads(f'{{"text": "{text}"')
    except ValueError as exc:
        raise KeyError(text) from exc


def test_configure_logging_makes_every_logger_content_free(
        restore_logging: None, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("debug")
    logging.getLogger("slack_bolt.RequestVerification").info(
        f"Invalid request signature detected (body: {SECRET_WORDS})")
    logging.getLogger("slack_sdk.web.base_client").debug(
        "Sending a request - json_body: %s", {"text": SECRET_WORDS})
    logging.getLogger("cloudstro.http").info("turn finished in %d ms", 12)
    try:
        _fail_on(SECRET_WORDS)
    except KeyError:
        logging.getLogger("cloudstro.agent").exception("turn failed")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [line["logger"] for line in lines] == [
        "slack_bolt.RequestVerification", "slack_sdk.web.base_client", "cloudstro.http",
        "cloudstro.agent"]
    assert [line["msg"] for line in lines] == [WITHHELD, WITHHELD, "turn finished in 12 ms",
                                               "turn failed"]
    assert "builtins.KeyError (message withheld)" in lines[-1]["exc"]
    assert all(SECRET_WORDS not in json.dumps(line) for line in lines)


def test_a_traceback_keeps_frames_and_types_but_not_foreign_messages(
        content_free_records: None, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    log = logging.getLogger("cloudstro.agent")
    try:
        _fail_on(SECRET_WORDS)
    except KeyError:
        log.exception("turn failed: %s", "KeyError")
    try:
        raise StoreUnreachableError("http://127.0.0.1:9", "connection refused")
    except StoreUnreachableError:
        log.exception("store call failed")
    assert SECRET_WORDS not in caplog.text
    assert "json.decoder.JSONDecodeError (message withheld)" in caplog.text
    assert "builtins.KeyError (message withheld)" in caplog.text
    assert "cannot reach DynamoDB at http://127.0.0.1:9" in caplog.text, "ours stay"
    assert "json.loads(f'{{\"text\"" in caplog.text, "the frames stay"


def test_installing_twice_wraps_once() -> None:
    before = logging.getLogRecordFactory()
    try:
        install_content_free_records()
        installed = logging.getLogRecordFactory()
        install_content_free_records()
        assert logging.getLogRecordFactory() is installed
    finally:
        logging.setLogRecordFactory(before)
