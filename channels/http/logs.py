"""Structured (JSON lines) logs that carry the request id of whatever request caused them.

The request id lives in a context variable, so a log line written deep inside the agent,
in a worker thread started for the turn, still names the request it belongs to. Log lines
never carry the user's message or a bearer token: only ids, sizes, statuses and timings.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from contextvars import ContextVar, Token
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


@dataclass
class RequestInfo:
    request_id: str
    user_id: str | None = None


_current: ContextVar[RequestInfo | None] = ContextVar("cloudstro_request", default=None)


def request_id_from(header: str | None) -> str:
    """The caller's X-Request-ID when it is a sane id, else a fresh one (never trust junk)."""
    if header and _REQUEST_ID.match(header):
        return header
    return uuid.uuid4().hex


def bind_request(info: RequestInfo) -> Token[RequestInfo | None]:
    return _current.set(info)


def unbind_request(token: Token[RequestInfo | None]) -> None:
    _current.reset(token)


def current_request_id() -> str:
    info = _current.get()
    return info.request_id if info else "-"


def note_user(user_id: str) -> None:
    """Record who is calling, for the access log line written when the response is done."""
    info = _current.get()
    if info is not None:
        info.user_id = user_id


class JsonFormatter(logging.Formatter):
    """One JSON object per line: easy to ship to CloudWatch and to query there."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        info = _current.get()
        if info is not None:
            entry["requestId"] = info.request_id
            if info.user_id:
                entry["userId"] = info.user_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(level: str = "info") -> None:
    """JSON lines on stderr for the whole process (the server's entry points call this)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("botocore", "boto3", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
