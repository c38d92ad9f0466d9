"""Structured (JSON lines) logs that carry the request id of whatever request caused them.

The request id lives in a context variable, so a log line written deep inside the agent,
in a worker thread started for the turn, still names the request it belongs to. Log lines
never carry the user's message or a bearer token: only ids, sizes, statuses and timings.

Our own log calls keep that rule by construction; libraries do not (Slack's logs whole request
bodies, an SDK's debug lines log the payloads they send). So `configure_logging` installs a
record factory that applies the rule to every record any logger creates, whichever handler
writes it: a library's text is withheld (its logger, level and exception type remain), and a
traceback shows an exception's message only when the exception is one of ours.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
import uuid
from collections.abc import Callable
from contextvars import ContextVar, Token
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
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


# Loggers whose text is ours, and library loggers whose text is known to carry no request
# content (uvicorn's lifecycle lines: addresses, process ids, "startup complete").
OWN_LOGGERS = ("cloudstro",)
CONTENT_FREE_LIBRARY_LOGGERS = ("uvicorn.error",)
WITHHELD = "(text withheld: library log lines may carry request content)"

RecordFactory = Callable[..., logging.LogRecord]


def _belongs_to(name: str | None, prefixes: tuple[str, ...]) -> bool:
    # `logging.makeLogRecord` first builds a record with no name, then fills it in.
    if name is None:
        return False
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def content_free(record: logging.LogRecord) -> logging.LogRecord:
    """Make one record safe to write: no library text, no foreign exception message."""
    if not _belongs_to(record.name, OWN_LOGGERS + CONTENT_FREE_LIBRARY_LOGGERS):
        record.msg, record.args = WITHHELD, ()
    if record.exc_info and record.exc_info[1] is not None:
        # Formatters use a pre-set exc_text instead of rendering exc_info themselves.
        record.exc_text = content_free_traceback(record.exc_info[1])
    return record


def content_free_traceback(exc: BaseException) -> str:
    """The traceback's frames and exception types; messages only for CloudStro's exceptions.

    A foreign exception's message can quote its input (a validation error repeats the value
    it refused, a parser the text it choked on), so it is left out.
    """
    return "".join(_exception_lines(exc, {id(exc)})).rstrip("\n")


def _exception_lines(exc: BaseException, seen: set[int]) -> list[str]:
    lines: list[str] = []
    earlier = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    if earlier is not None and id(earlier) not in seen:
        seen.add(id(earlier))
        lines += _exception_lines(earlier, seen)
        lines.append("\nwhich led to:\n\n")
    tb: TracebackType | None = exc.__traceback__
    lines.append("Traceback (most recent call last):\n")
    lines += traceback.format_tb(tb)
    kind = type(exc)
    name = f"{kind.__module__}.{kind.__qualname__}"
    if _belongs_to(kind.__module__, OWN_LOGGERS):
        lines.append(f"{name}: {exc}\n")
    else:
        lines.append(f"{name} (message withheld)\n")
    return lines


class _ContentFreeRecordFactory:
    """Wraps the process's LogRecord factory so every new record passes `content_free`."""

    def __init__(self, inner: RecordFactory) -> None:
        self.inner = inner

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        return content_free(self.inner(*args, **kwargs))


def install_content_free_records() -> RecordFactory:
    """Apply `content_free` to every record from now on (idempotent); returns the previous
    factory so a caller that must undo it (a test) can restore it."""
    current = logging.getLogRecordFactory()
    if not isinstance(current, _ContentFreeRecordFactory):
        logging.setLogRecordFactory(_ContentFreeRecordFactory(current))
    return current


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
        if record.exc_text:
            entry["exc"] = record.exc_text
        elif record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(level: str = "info") -> None:
    """JSON lines on stderr for the whole process (the server's entry points call this),
    with no message text or token in any line, whichever logger writes it."""
    install_content_free_records()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("botocore", "boto3", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
