"""The server's own limits, as `cloudstro serve` configures uvicorn: head size and slow clients.

Raw sockets on 127.0.0.1 against a live server built by the same function the command uses,
with short timeouts so each test stays within seconds: an oversized request head is refused,
and a client that sends its head or body too slowly (or nothing at all) is cut off.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import uvicorn

from cloudstro.channels.app import create_app
from cloudstro.channels.http.server import server_config
from tests.support.http_api import SECRET, ApiStack
from tests.support.servers import free_port

pytestmark = pytest.mark.integration

HEAD_TIMEOUT_S = 1.0
BODY_TIMEOUT_S = 1.0
GRACE_S = 2.0  # scheduling slack on a busy machine
SLOW_CLIENTS = 20


@pytest.fixture(scope="module")
def port(api: ApiStack) -> Iterator[int]:
    settings = api.settings.model_copy(update={"http_header_timeout_s": HEAD_TIMEOUT_S,
                                               "http_body_timeout_s": BODY_TIMEOUT_S})
    chosen = free_port()
    config = server_config(create_app(settings, api.store, auth_secret=SECRET), settings,
                           host="127.0.0.1", port=chosen, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True, name="limits-server")
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield chosen
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def _exchange(port: int, request: bytes, timeout_s: float = 10.0) -> bytes:
    """Send `request` (as much as the server takes) and read until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout_s) as sock:
        # The server may stop reading early: its answer is then already waiting.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(request)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
                if b"\r\n\r\n" in received and b"connection: close" not in received.lower():
                    break
        except ConnectionResetError:
            pass
        return received


def _status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/1.1 ") else 0


def _get(headers: bytes = b"") -> bytes:
    return (b"GET /openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + headers
            + b"\r\n")


def test_an_ordinary_request_is_served(port: int) -> None:
    assert _status(_exchange(port, _get(b"X-Note: " + b"n" * 4000 + b"\r\n"))) == 200


@pytest.mark.parametrize("headers", [
    pytest.param(b"X-Big: " + b"a" * 1_000_000 + b"\r\n", id="one-1MB-header"),
    pytest.param(b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 200) for i in range(200)),
                 id="200-headers-40KB"),
])
def test_an_oversized_request_head_is_refused(port: int, headers: bytes) -> None:
    status = _status(_exchange(port, _get(headers)))
    assert status in (400, 431), status


def _seconds_until_cut_off(port: int, first: bytes, drip: bytes, limit_s: float) -> float | None:
    """Send `first`, then one byte of `drip` every 0.2 s; when did the server hang up?"""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=limit_s) as sock:
        sock.sendall(first)
        sock.settimeout(0.2)
        for byte in drip:
            if time.monotonic() - started > limit_s:
                return None
            try:
                sock.sendall(bytes([byte]))
                sock.recv(65536)  # end of stream or an answer (408): either way, cut off
            except TimeoutError:
                continue  # still connected and unanswered
            except OSError:
                pass  # reset by the server
            return time.monotonic() - started
    return None


def test_clients_that_send_their_head_slowly_are_cut_off(port: int) -> None:
    limit = HEAD_TIMEOUT_S + GRACE_S
    drip = b"X-Slow: " + b"s" * 1000
    with ThreadPoolExecutor(SLOW_CLIENTS) as pool:
        times = list(pool.map(
            lambda _: _seconds_until_cut_off(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n",
                                             drip, limit), range(SLOW_CLIENTS)))
    assert all(t is not None and t <= limit for t in times), times


def test_a_connection_that_sends_nothing_is_closed(port: int) -> None:
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=HEAD_TIMEOUT_S + GRACE_S) as sock:
        sock.recv(1024)  # a timeout here (TimeoutError) means the server kept it open
    assert time.monotonic() - started <= HEAD_TIMEOUT_S + GRACE_S


def test_a_body_sent_too_slowly_is_408(port: int) -> None:
    head = (b"POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n{\"message\": \"")
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port),
                                  timeout=BODY_TIMEOUT_S + GRACE_S) as sock:
        sock.sendall(head)
        response = sock.recv(65536)
    assert _status(response) == 408, response[:200]
    assert time.monotonic() - started <= BODY_TIMEOUT_S + GRACE_S


def test_keep_alive_serves_several_requests_on_one_connection(port: int) -> None:
    request = b"GET /openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        for _ in range(2):
            sock.sendall(request)
            received = b""
            while b"\r\n\r\n" not in received:
                received += sock.recv(65536)
            head, _, body = received.partition(b"\r\n\r\n")
            length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length")))
            while len(body) < length:
                body += sock.recv(65536)
            assert _status(received) == 200
