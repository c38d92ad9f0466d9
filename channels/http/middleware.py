"""The outermost layer of the app: request id, body size and time caps, access log, last-resort
500.

It is plain ASGI (not Starlette's BaseHTTPMiddleware) so streamed responses pass through
untouched and the body cap applies before any route parses a byte of JSON. It wraps every
route of the app, the Slack channel's included.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cloudstro.channels.errors import error_response, internal_error_response
from cloudstro.channels.http.logs import RequestInfo, bind_request, request_id_from, unbind_request
from cloudstro.ingest.oauth.browser import SIGNIN_CALLBACK_PATH

access_log = logging.getLogger("cloudstro.http.access")
log = logging.getLogger("cloudstro.http")


class BodyTooLarge(Exception):
    pass


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int, body_timeout_s: float = 30.0) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_timeout_s = body_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1").lower(): value.decode("latin-1")
                   for key, value in scope.get("headers", [])}
        info = RequestInfo(request_id_from(headers.get("x-request-id")))
        token = bind_request(info)
        started = time.perf_counter()
        outcome: dict[str, Any] = {"status": 500, "started": False}
        request_id_header = (b"x-request-id", info.request_id.encode("latin-1"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                outcome["status"] = message["status"]
                outcome["started"] = True
                message["headers"] = [*message.get("headers", []), request_id_header]
            await send(message)

        try:
            try:
                replay = await asyncio.wait_for(self._read_body(headers, receive),
                                                self.body_timeout_s)
            except BodyTooLarge:
                response = error_response(
                    413, "body_too_large",
                    f"the request body is larger than {self.max_body_bytes} bytes")
                await response(scope, receive, send_with_id)
                return
            except TimeoutError:
                response = error_response(
                    408, "request_timeout",
                    f"the request body did not arrive within {self.body_timeout_s:g} seconds",
                    headers={"Connection": "close"})
                await response(scope, receive, send_with_id)
                return
            try:
                await self.app(scope, replay, send_with_id)
            except Exception as exc:
                log.exception("unhandled error: %s", type(exc).__name__)
                if not outcome["started"]:
                    await internal_error_response()(scope, receive, send_with_id)
        finally:
            path = loggable_path(str(scope.get("path", "")))
            access_log.info("%s %s %s", scope.get("method"), path,
                            outcome["status"], extra={"fields": {
                                "method": scope.get("method"), "path": path,
                                "status": outcome["status"], "requestId": info.request_id,
                                "userId": info.user_id,
                                "durationMs": round((time.perf_counter() - started) * 1000, 2),
                            }})
            unbind_request(token)

    async def _read_body(self, headers: dict[str, str], receive: Receive) -> Receive:
        """Read the whole body (bounded), then hand it to the app as if freshly received."""
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            raise BodyTooLarge
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away mid-body
                pending: list[Message] = [message]
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                pending = [{"type": "http.request", "body": b"".join(chunks),
                            "more_body": False}]
                break

        async def replay() -> Message:
            if pending:
                return pending.pop(0)
            return await receive()

        return replay


def loggable_path(path: str) -> str:
    """The path as the access log writes it: a connection link's state (`/connect/{state}`,
    the key to a pending connection) is replaced by its name."""
    if path.startswith("/connect/") and path != SIGNIN_CALLBACK_PATH:
        return "/connect/{state}"
    return path
