"""A loopback TCP proxy in front of DynamoDB Local that can fail the way DynamoDB fails.

`down()` closes the listening port and every open connection (clients get "connection
refused", as from a stopped engine); `pause()` keeps accepting connections but passes nothing
through (an engine that hangs: SIGSTOPped, or a network black hole); `up()` and `resume()`
bring it back on the same port. The engine itself is never touched, so the rest of the test
session keeps using it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time

from tests.support.servers import free_port

ACCEPT_POLL_S = 0.1


class FlakyProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.port = free_port()
        self._paused = threading.Event()
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self.up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ------------------------------------------------------------------ failure modes

    def up(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(ACCEPT_POLL_S)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True,
                         name=f"flaky-proxy-{self.port}").start()

    def down(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            connections, self._open = self._open, set()
        for connection in connections:
            _close(connection)

    def pause(self) -> None:
        self._paused.set()

    def resume(self) -> None:
        self._paused.clear()

    def close(self) -> None:
        self.resume()
        self.down()

    # ------------------------------------------------------------------ plumbing

    def _track(self, connection: socket.socket) -> None:
        with self._lock:
            self._open.add(connection)

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        self._track(client)
        try:
            upstream = socket.create_connection(self.upstream, timeout=5)
            upstream.settimeout(None)
        except OSError:
            _close(client)
            return
        self._track(upstream)
        threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()
        self._pump(client, upstream)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                while self._paused.is_set():  # hold everything: nothing in, nothing out
                    time.sleep(0.05)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _close(source)
            _close(sink)


def _close(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)
    connection.close()
