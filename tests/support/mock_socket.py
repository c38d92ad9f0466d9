"""A local stand-in for Slack's Socket Mode endpoint: a websocket server on 127.0.0.1.

Attach it to the Web API mock (`MockSlack.socket_mode = MockSocketMode().start()`) and
`apps.connections.open` answers with `ws://127.0.0.1:<port>/link/?ticket=...`, a fresh ticket
each time; a connection with a ticket that was never issued is refused with HTTP 403, so a
client can only get in through the Web API, as with Slack. Each connection is greeted with
`hello`, as Slack does. Tests then push envelopes (`send_event`) and wait, with a bound, for the
app's acknowledgement (`wait_ack`); every frame the client sends is recorded.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlparse

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

APP_ID = "A0CLOUDSTRO"


@dataclass(frozen=True)
class Ack:
    envelope_id: str
    payload: dict[str, Any] | None
    at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class Sent:
    envelope_id: str
    at: float


class MockSocketMode:
    """The websocket server. Use as a context manager or call `start()` / `stop()`."""

    def __init__(self, app_id: str = APP_ID) -> None:
        self.app_id = app_id
        self.acks: list[Ack] = []
        self.received: list[str] = []  # every text frame from the client, raw
        self.sent: dict[str, Sent] = {}
        self.tickets_issued: list[str] = []
        self.tickets_used: list[str] = []
        self._open: list[ServerConnection] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._numbers = itertools.count(1)
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> MockSocketMode:
        self._server = serve(self._serve_connection, "127.0.0.1", 0, compression=None,
                             process_request=self._check_ticket, ping_interval=None)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="mock-slack-socket")
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> MockSocketMode:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the mock first"
        return self._server.socket.getsockname()[1]

    def issue_url(self) -> str:
        """What `apps.connections.open` returns: this server's address with a new ticket."""
        ticket = uuid.uuid4().hex
        with self._lock:
            self.tickets_issued.append(ticket)
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"

    # ------------------------------------------------------------------ scripting

    def send_event(self, payload: dict[str, Any], *, envelope_id: str | None = None,
                   retry_attempt: int = 0, retry_reason: str = "") -> str:
        """Push an `events_api` envelope around `payload` to the newest connection."""
        envelope_id = envelope_id or f"env-{next(self._numbers)}-{uuid.uuid4().hex[:8]}"
        frame = {"envelope_id": envelope_id, "type": "events_api", "payload": payload,
                 "accepts_response_payload": False, "retry_attempt": retry_attempt,
                 "retry_reason": retry_reason}
        with self._lock:
            if not self._open:
                raise AssertionError("no Socket Mode client is connected")
            connection = self._open[-1]
            self.sent[envelope_id] = Sent(envelope_id, time.monotonic())
        connection.send(json.dumps(frame))
        return envelope_id

    # ------------------------------------------------------------------ reading

    def connections(self) -> int:
        with self._lock:
            return len(self._open)

    def acks_for(self, envelope_id: str) -> list[Ack]:
        with self._lock:
            return [ack for ack in self.acks if ack.envelope_id == envelope_id]

    def wait_connected(self, timeout: float = 5.0) -> None:
        self._wait(lambda: bool(self._open), timeout, "a Socket Mode client to connect")

    def wait_ack(self, envelope_id: str, timeout: float = 3.0) -> Ack:
        """The acknowledgement of `envelope_id`, waited for at most `timeout` seconds."""
        self._wait(lambda: any(a.envelope_id == envelope_id for a in self.acks), timeout,
                   f"the acknowledgement of envelope {envelope_id}")
        return self.acks_for(envelope_id)[0]

    def wait_disconnected(self, timeout: float = 5.0) -> None:
        self._wait(lambda: not self._open, timeout, "the client to disconnect")

    def _wait(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        with self._changed:
            if not self._changed.wait_for(condition, timeout):
                raise AssertionError(f"timed out after {timeout}s waiting for {what}; "
                                     f"frames from the client: {self.received}")

    # ------------------------------------------------------------------ serving

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        ticket = (parse_qs(urlparse(request.path).query).get("ticket") or [""])[0]
        with self._lock:
            known = ticket in self.tickets_issued
            if known:
                self.tickets_used.append(ticket)
        if not known:
            return connection.respond(HTTPStatus.FORBIDDEN, "unknown ticket\n")
        return None

    def _serve_connection(self, connection: ServerConnection) -> None:
        with self._changed:
            self._open.append(connection)
            count = len(self._open)
            self._changed.notify_all()
        try:
            connection.send(json.dumps({
                "type": "hello", "num_connections": count,
                "debug_info": {"host": "mock-applink", "approximate_connection_time": 3600},
                "connection_info": {"app_id": self.app_id}}))
            for message in connection:
                self._record(message if isinstance(message, str) else message.decode())
        except ConnectionClosed:
            pass  # slack_sdk's built-in client drops the socket without a close frame
        finally:
            with self._changed:
                self._open.remove(connection)
                self._changed.notify_all()

    def _record(self, text: str) -> None:
        with self._changed:
            self.received.append(text)
            try:
                frame = json.loads(text)
            except json.JSONDecodeError:
                frame = None
            if isinstance(frame, dict) and "envelope_id" in frame:
                self.acks.append(Ack(str(frame["envelope_id"]), frame.get("payload")))
            self._changed.notify_all()
