"""One JSON error shape for every failure the ASGI app answers.

Clients (and the Slack channel's routes, which live in the same app) can rely on
`{"error": {"code", "message", "requestId"}}` whatever went wrong: a bad token, a validation
error FastAPI raised, an unknown path, or a bug. The code is stable and machine-readable;
the message is for people and never echoes the request's text back.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from cloudstro.channels.http.logs import current_request_id
from cloudstro.store.errors import StoreError, StoreUsageError

if TYPE_CHECKING:
    # Only the functions that answer over HTTP import FastAPI: `error_payload` also serves the
    # Slack Lambda, which must not pay for the web framework on a cold start.
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse

log = logging.getLogger("cloudstro.http")


class ApiError(Exception):
    """A failure with an HTTP status, a stable code and a message for the caller."""

    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


class ErrorDetail(BaseModel):
    code: str
    message: str
    requestId: str
    details: list[dict[str, Any]] | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


# Seconds a client is told to wait after a 503: outages the SDK's retries could not bridge are
# usually over within a few seconds (a restart, a throttling burst).
STORE_RETRY_AFTER_S = 5


def store_unavailable(message: str = "the data store is not answering; try again shortly"
                      ) -> ApiError:
    """The one answer to any DynamoDB failure or timeout on any route: 503 with Retry-After."""
    return ApiError(503, "store_unavailable", message,
                    headers={"Retry-After": str(STORE_RETRY_AFTER_S)})


def error_response(status: int, code: str, message: str, *,
                   headers: Mapping[str, str] | None = None,
                   details: list[dict[str, Any]] | None = None) -> JSONResponse:
    from fastapi.responses import JSONResponse

    detail: dict[str, Any] = {"code": code, "message": message,
                              "requestId": current_request_id()}
    if details is not None:
        detail["details"] = details
    return JSONResponse({"error": detail}, status_code=status, headers=headers)


def error_payload(code: str, message: str) -> dict[str, Any]:
    """The same shape, for places that cannot send a status code (a stream already begun)."""
    return {"error": {"code": code, "message": message, "requestId": current_request_id()}}


# Starlette raises these for routing failures; the codes name the problem, not the number.
_STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 406: "not_acceptable", 413: "body_too_large",
                 415: "unsupported_media_type", 429: "rate_limited"}


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    # `input` is left out on purpose: it can hold the user's message, which is theirs alone.
    return [{"loc": [str(part) for part in error.get("loc", ())], "msg": error.get("msg", ""),
             "type": error.get("type", "")} for error in exc.errors()]


def install_error_handlers(app: FastAPI) -> None:
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException as StarletteHTTPException

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = _validation_details(exc)
        first = details[0] if details else {"loc": [], "msg": "invalid request"}
        where = ".".join(part for part in first["loc"] if part != "body") or "request body"
        return error_response(422, "validation_error", f"{where}: {first['msg']}",
                              details=details)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return error_response(exc.status_code, code, message, headers=exc.headers)

    @app.exception_handler(StoreError)
    async def _store_error(request: Request, exc: StoreError) -> JSONResponse:
        if isinstance(exc, StoreUsageError):  # a request the code got wrong: a bug, not an outage
            log.error("unhandled error: %s", type(exc).__name__, exc_info=exc)
            return internal_error_response()
        log.error("store unavailable: %s", exc)
        return await _api_error(request, store_unavailable())


def internal_error_response() -> JSONResponse:
    """What a bug looks like to the caller; the request middleware sends it and logs the trace."""
    return error_response(500, "internal_error", "something went wrong on our side")
