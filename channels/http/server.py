"""How uvicorn serves the app: the limits a public HTTP server needs that the app cannot set.

Everything the app sees has already been parsed, so two defences belong to the protocol:
the size of a request head (uvicorn's default parser, httptools, accepts any size) and how
long a client may take to send it (uvicorn times out idle keep-alive connections, never a
slow or silent head, so a few hundred slow clients could hold every connection). The server
therefore runs uvicorn's h11 protocol with both added. The body has its own size and time
limits in the request middleware.

`server_config` is the one place these are set; `cloudstro serve` and the tests use it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from cloudstro.config import Settings

HEAD_END = b"\r\n\r\n"


def _plain_response(status: int, reason: str, text: str) -> bytes:
    body = text.encode("ascii") + b"\n"
    return (f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n").encode("ascii") + body


_TOO_SLOW = _plain_response(408, "Request Timeout", "the request head took too long")
_TOO_LARGE = _plain_response(431, "Request Header Fields Too Large",
                             "the request head is too large")


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline and a size cap for each request head.

    The clock starts when the connection opens and again when a response is complete (the
    wait for the next keep-alive request); the head must be complete before it runs out, or
    the client gets a 408 and the connection is closed. The head's bytes are counted as they
    arrive, before h11 parses them: past `max_head_bytes` the client gets a 431. (h11's own
    `max_incomplete_event_size` only applies while a head is incomplete, so a large head that
    arrives in one read would pass it.)
    """

    head_timeout_s: float = 10.0
    max_head_bytes: int = 16384

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_deadline: asyncio.TimerHandle | None = None
        self._head_seen = b""  # the head so far, kept only up to the cap

    def data_received(self, data: bytes) -> None:
        if self._head_deadline is not None and self._head_too_large(data):
            self._refuse(_TOO_LARGE)
            return
        super().data_received(data)

    def _head_too_large(self, data: bytes) -> bool:
        room = self.max_head_bytes + len(HEAD_END) - len(self._head_seen)
        self._head_seen += data[:max(0, room)]
        end = self._head_seen.find(HEAD_END)
        if end == -1:
            return len(self._head_seen) > self.max_head_bytes
        return end > self.max_head_bytes

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head_clock()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_clock()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state is not h11.IDLE:  # a whole head arrived (or the peer broke)
            self._stop_head_clock()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._start_head_clock()

    def _start_head_clock(self) -> None:
        self._stop_head_clock()
        self._head_seen = b""
        self._head_deadline = self.loop.call_later(self.head_timeout_s, self._head_too_slow)

    def _stop_head_clock(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._refuse(_TOO_SLOW)

    def _refuse(self, response: bytes) -> None:
        """Answer a head that never became a request (no response is under way) and hang up."""
        self._stop_head_clock()
        self.transport.write(response)
        self.transport.close()


def guarded_protocol(settings: Settings) -> type[GuardedH11Protocol]:
    """The protocol class uvicorn instantiates per connection, with this server's limits."""
    return type("ConfiguredGuardedH11Protocol", (GuardedH11Protocol,),
                {"head_timeout_s": settings.http_header_timeout_s,
                 "max_head_bytes": settings.http_max_header_bytes})


def server_config(app: Any, settings: Settings, *, host: str, port: int,
                  log_level: str = "info") -> uvicorn.Config:
    """uvicorn's configuration for the API: sizes, timeouts and concurrency from settings."""
    return uvicorn.Config(
        app, host=host, port=port, log_config=None, access_log=False, log_level=log_level,
        http=guarded_protocol(settings),
        h11_max_incomplete_event_size=settings.http_max_header_bytes,
        timeout_keep_alive=settings.http_keep_alive_s,
        limit_concurrency=settings.http_max_connections,
        timeout_graceful_shutdown=10,
    )
