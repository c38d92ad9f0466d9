"""A local stand-in for Slack's Web API: a real HTTP server on 127.0.0.1 that records every call.

Point a `WebClient` (or the app's `SLACK_API_URL`) at `MockSlack.base_url` and every Web API
call lands here as a `Call(method, params, headers)`; JSON and form bodies are both parsed, as
slack_sdk sends some methods one way and some the other. Answers are the minimum the SDK and
bolt need (a `ts` from chat.postMessage / chat.startStream, an upload URL for files_upload_v2,
an email from users.info, and, with a `MockSocketMode` attached as `socket_mode`, a websocket
URL from apps.connections.open, the one method that takes the app-level `xapp-` token). Tests
can make a method fail or rate-limit (429 + Retry-After) a given number of times, and wait,
with a bound, for calls to arrive.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

BOT_USER = "UBOTCLOUDSTRO"
BOT_ID = "BBOTCLOUDSTRO"
TEAM = "T0TEST"


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


@dataclass
class _Failure:
    remaining: int
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


class MockSlack:
    """The mock server. Use as a context manager or call `start()` / `stop()`."""

    def __init__(self, users: dict[str, dict[str, Any]] | None = None,
                 team_id: str = TEAM) -> None:
        self.users: dict[str, dict[str, Any]] = dict(users or {})
        self.team_id = team_id
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._failures: dict[str, list[_Failure]] = {}
        self.socket_mode: Any = None  # a started tests.support.mock_socket.MockSocketMode
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> MockSlack:
        mock = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                mock._handle(self)

            do_GET = do_POST

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={
            "poll_interval": 0.05}, daemon=True, name="mock-slack")
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> MockSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the mock first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    # ------------------------------------------------------------------ scripting

    def add_user(self, slack_user: str, email: str | None, **fields: Any) -> None:
        self.users[slack_user] = {"email": email, **fields}

    def fail(self, method: str, times: int = 1, *, error: str = "internal_error",
             status: int = 200) -> None:
        """The next `times` calls to `method` answer `{"ok": false, "error": error}`."""
        self._add_failure(method, _Failure(times, status, {"ok": False, "error": error}, {}))

    def rate_limit(self, method: str, times: int = 1, retry_after: int = 0) -> None:
        """The next `times` calls to `method` answer HTTP 429 with Retry-After."""
        self._add_failure(method, _Failure(times, 429, {"ok": False, "error": "ratelimited"},
                                           {"Retry-After": str(retry_after)}))

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._failures.clear()

    # ------------------------------------------------------------------ reading calls

    def calls_to(self, method: str, **params: Any) -> list[Call]:
        """Calls to `method` whose params contain every given key/value."""
        with self._lock:
            return [c for c in self.calls if c.method == method
                    and all(c.params.get(k) == v for k, v in params.items())]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 10.0,
                 what: str = "the expected Slack calls") -> None:
        """Poll until `condition()` holds; fail with the calls seen so far after `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.02)
        if condition():
            return
        seen = [(c.method, {k: c.params.get(k) for k in ("channel", "channel_id", "thread_ts",
                                                           "text")}) for c in self.calls]
        raise AssertionError(f"timed out after {timeout}s waiting for {what}; calls: {seen}")

    def answers(self, channel: str) -> list[dict[str, Any]]:
        """Every message the app put in `channel`: posted ones, and streams as one text each.

        Each answer is `{"kind": "post" | "stream", "thread_ts", "text", "blocks"}`; a stream's
        text is its start, append and stop chunks joined, and it counts once it has stopped.
        """
        out: list[dict[str, Any]] = []
        streams: dict[str, dict[str, Any]] = {}
        with self._lock:
            calls = list(self.calls)
        for call in calls:
            p = call.params
            if "_failed" in p:
                continue  # Slack refused it: nothing reached the channel
            if call.method == "chat.postMessage" and p.get("channel") == channel:
                out.append({"kind": "post", "thread_ts": p.get("thread_ts"),
                            "text": p.get("text") or "", "blocks": p.get("blocks") or [],
                            "ts": call.params.get("_ts")})
            elif call.method == "chat.startStream" and p.get("channel") == channel:
                streams[p["_ts"]] = {"kind": "stream", "thread_ts": p.get("thread_ts"),
                                     "text": _chunk_text(p), "blocks": [], "ts": p["_ts"],
                                     "stopped": False, "params": p}
            elif call.method in ("chat.appendStream", "chat.stopStream") and p.get("ts") in streams:
                stream = streams[p["ts"]]
                stream["text"] += _chunk_text(p)
                if call.method == "chat.stopStream":
                    stream["blocks"] = p.get("blocks") or []
                    stream["stopped"] = True
                    out.append(stream)
        return out

    # ------------------------------------------------------------------ serving

    def _add_failure(self, method: str, failure: _Failure) -> None:
        with self._lock:
            self._failures.setdefault(method, []).append(failure)

    def _take_failure(self, method: str) -> _Failure | None:
        with self._lock:
            queue = self._failures.get(method) or []
            while queue and queue[0].remaining <= 0:
                queue.pop(0)
            if not queue:
                return None
            queue[0].remaining -= 1
            return queue[0]

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        path = urlparse(request.path).path.lstrip("/")
        raw = request.rfile.read(int(request.headers.get("content-length") or 0))
        headers = {k.lower(): v for k, v in request.headers.items()}
        if path == "upload":
            self._record(Call("upload", {"bytes": len(raw)}, headers))
            return _send(request, 200, b"OK - %d" % len(raw), "text/plain")
        params = _parse(raw, headers.get("content-type", ""))
        tokens = (("Bearer xapp-",) if path == "apps.connections.open"
                  else ("Bearer xoxb-", "Bearer xoxp-"))
        if not headers.get("authorization", "").startswith(tokens):
            self._record(Call(path, params, headers))
            return _send_json(request, 200, {"ok": False, "error": "invalid_auth"})
        failure = self._take_failure(path)
        if failure:
            self._record(Call(path, {**params, "_failed": failure.status}, headers))
            return _send_json(request, failure.status, failure.body, failure.headers)
        body = self._answer(path, params)
        self._record(Call(path, params, headers))
        return _send_json(request, 200, body)

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def _next_ts(self) -> str:
        return f"1800000000.{next(self._ts):06d}"

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "url": "https://cloudstro-test.slack.com/", "team": "Test",
                    "user": "cloudstro", "team_id": self.team_id, "user_id": BOT_USER,
                    "bot_id": BOT_ID}
        if method == "users.info":
            user_id = params.get("user", "")
            user = self.users.get(user_id)
            if user is None:
                return {"ok": False, "error": "user_not_found"}
            profile = {"real_name": user.get("name", user_id)}
            if user.get("email"):
                profile["email"] = user["email"]
            return {"ok": True, "user": {"id": user_id, "team_id": self.team_id,
                                         "is_bot": bool(user.get("is_bot")),
                                         "deleted": bool(user.get("deleted")),
                                         "profile": profile}}
        if method in ("chat.postMessage", "chat.startStream"):
            ts = self._next_ts()
            params["_ts"] = ts
            return {"ok": True, "channel": params.get("channel"), "ts": ts,
                    "message": {"text": params.get("text"), "ts": ts}}
        if method in ("chat.update", "chat.appendStream", "chat.stopStream"):
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts")}
        if method == "apps.connections.open":
            if self.socket_mode is None:
                return {"ok": False, "error": "socket_mode_not_enabled"}
            return {"ok": True, "url": self.socket_mode.issue_url()}
        if method == "conversations.replies":
            return {"ok": True, "messages": [], "has_more": False}
        if method == "files.getUploadURLExternal":
            return {"ok": True, "upload_url": f"{self.base_url}upload",
                    "file_id": f"F{next(self._ts):08d}"}
        if method == "files.completeUploadExternal":
            files = json.loads(params.get("files") or "[]")
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")}
                                          for f in files]}
        return {"ok": True}


def _chunk_text(params: dict[str, Any]) -> str:
    text = params.get("markdown_text") or ""
    for chunk in params.get("chunks") or []:
        if isinstance(chunk, dict) and chunk.get("type") == "markdown_text":
            text += chunk.get("text", "")
    return text


def _parse(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    text = raw.decode("utf-8", "replace")
    if content_type.startswith("application/json") or text.lstrip().startswith("{"):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            return {"_raw": text}
        return parsed if isinstance(parsed, dict) else {"_raw": parsed}
    return {key: values[0] for key, values in parse_qs(text).items()}


def _send_json(request: BaseHTTPRequestHandler, status: int, body: dict[str, Any],
               headers: dict[str, str] | None = None) -> None:
    _send(request, status, json.dumps(body).encode(), "application/json", headers)


def _send(request: BaseHTTPRequestHandler, status: int, payload: bytes, content_type: str,
          headers: dict[str, str] | None = None) -> None:
    request.send_response(status)
    request.send_header("content-type", content_type)
    request.send_header("content-length", str(len(payload)))
    for name, value in (headers or {}).items():
        request.send_header(name, value)
    request.end_headers()
    request.wfile.write(payload)


@contextmanager
def running(users: dict[str, dict[str, Any]] | None = None) -> Iterator[MockSlack]:
    with MockSlack(users) as mock:
        yield mock
