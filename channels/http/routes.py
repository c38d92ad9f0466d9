"""The HTTP API's routes: chat, streamed chat, a thread's history, health.

Every route that touches a conversation runs as the bearer token's user; the thread id
the caller sends is namespaced by that user inside the Assistant, so a thread id copied
from someone else resolves to nothing (404) and nothing of theirs is read.
"""

from __future__ import annotations

import asyncio
import contextvars
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Security
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from cloudstro.agent.service import Assistant, MessageRejected, new_thread_id
from cloudstro.channels.errors import ApiError, ErrorBody, store_unavailable
from cloudstro.channels.http.auth import TokenError, verify_token
from cloudstro.channels.http.logs import note_user
from cloudstro.channels.http.models import (
    THREAD_ID_HELP,
    THREAD_ID_PATTERN,
    ChatReply,
    ChatRequest,
    Health,
    ThreadHistory,
)
from cloudstro.channels.http.streaming import opened, stream_turn

if TYPE_CHECKING:
    from cloudstro.channels.app import Services

HEALTH_TIMEOUT_S = 3.0
_CHALLENGE = 'Bearer realm="cloudstro"'

bearer = HTTPBearer(auto_error=False, bearerFormat="cs1 token",
                    description="A token from `cloudstro token issue --user <id>`.")


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ErrorBody} for status in statuses}


AUTH_ERRORS = _errors(401, 429, 503)


def _unauthorized(code: str, message: str) -> ApiError:
    challenge = _CHALLENGE if code == "missing_token" else (
        f'{_CHALLENGE}, error="invalid_token", error_description="{message}"')
    return ApiError(401, code, message, headers={"WWW-Authenticate": challenge})


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


DeclaredBearer = Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]


async def caller(request: Request, _declared: DeclaredBearer) -> str:
    """The user id the request acts for; 401 for any token problem, 429 over the budget."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise _unauthorized("missing_token", "send Authorization: Bearer <token>")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("invalid_token", "the Authorization header must be "
                                             "'Bearer <token>'")
    state = request.app.state
    try:
        claims = verify_token(state.auth_secret, token.strip())
    except TokenError as exc:
        raise _unauthorized(exc.code, str(exc)) from exc
    known = state.known_users.cached(claims.sub)
    if known is None:
        known = await store_call(request, state.known_users.exists, claims.sub)
    if not known:
        raise _unauthorized("unknown_user", "the token's user does not exist")
    note_user(claims.sub)
    wait_s = state.rate_limiter.acquire(claims.sub)
    if wait_s:
        raise ApiError(429, "rate_limited",
                       f"too many requests; try again in {wait_s} seconds",
                       headers={"Retry-After": str(wait_s)})
    return claims.sub


async def run_blocking(function: Any, *args: Any) -> Any:
    """Run sync work on the default executor, keeping the request's log context."""
    context = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(None, context.run, function, *args)


async def store_call(request: Request, function: Any, *args: Any) -> Any:
    """Blocking store work for this request, answered 503 once the request's store time is up.

    One deadline per request (CLOUDSTRO_STORE_WAIT_S from the first store call), however many
    calls it makes; the SDK's own timeouts end the abandoned worker's call soon after.
    """
    loop = asyncio.get_running_loop()
    deadline = getattr(request.state, "store_deadline", None)
    if deadline is None:
        deadline = loop.time() + services_of(request).settings.store_wait_s
        request.state.store_deadline = deadline
    try:
        return await asyncio.wait_for(run_blocking(function, *args),
                                      max(0.0, deadline - loop.time()))
    except TimeoutError as exc:
        raise store_unavailable("the data store did not answer in time; try again shortly"
                                ) from exc


async def ready_assistant(request: Request) -> Assistant:
    services = services_of(request)
    return services.built_assistant or await run_blocking(lambda: services.assistant)


def checked_message(assistant: Assistant, message: str) -> str:
    try:
        return assistant.check_message(message)
    except MessageRejected as exc:
        status = 413 if exc.code == "message_too_long" else 422
        raise ApiError(status, exc.code, str(exc)) from exc


UserId = Annotated[str, Depends(caller)]
ReadyAssistant = Annotated[Assistant, Depends(ready_assistant)]
ThreadId = Annotated[str, Path(pattern=THREAD_ID_PATTERN, max_length=128,
                               description=THREAD_ID_HELP)]

router = APIRouter(prefix="/v1", tags=["chat"])

# Before OpenAPI 3.2, the schema of an event-stream response describes one event.
SSE_EVENT_SCHEMA = {
    "type": "object", "required": ["event", "data"],
    "properties": {"event": {"type": "string", "enum": ["delta", "tool", "done", "error"]},
                   "data": {"type": "string", "contentMediaType": "application/json"}},
}


@router.post("/chat", response_model=ChatReply,
             responses={**AUTH_ERRORS, **_errors(400, 413, 422, 504)})
async def chat(body: ChatRequest, request: Request, user_id: UserId,
               assistant: ReadyAssistant) -> dict[str, Any]:
    """Ask one question; the answer comes back whole. Leave out threadId to start a thread.

    A store outage during the turn is a 503 `store_unavailable` with Retry-After (the turn
    raises the store's error; the app's error handlers answer it), not an apology.
    """
    message = checked_message(assistant, body.message)
    services = services_of(request)
    timeout_s = services.settings.turn_timeout_s
    work = services.turn_executor.submit(contextvars.copy_context().run, assistant.respond,
                                         user_id, body.threadId, message)
    try:
        reply = await asyncio.wait_for(asyncio.wrap_future(work), timeout_s)
    except TimeoutError as exc:
        raise ApiError(504, "turn_timeout",
                       f"the answer took longer than {timeout_s:g} seconds; ask again or "
                       "ask something narrower") from exc
    return {**reply.as_json(), "failed": reply.failed}


@router.post("/chat/stream", response_class=StreamingResponse,
             responses={200: {"content": {"text/event-stream": {"schema": SSE_EVENT_SCHEMA}},
                              "description": "Server-Sent Events: `delta` {text}, `tool` "
                              "{name, phase, ok[, args]}, then `done` {threadId, reply, "
                              "toolCalls, failed} or `error` {error}."},
                        **AUTH_ERRORS, **_errors(400, 413, 422)})
async def chat_stream(body: ChatRequest, request: Request, user_id: UserId,
                      assistant: ReadyAssistant) -> StreamingResponse:
    """The same turn as /v1/chat, streamed as it is produced (Server-Sent Events).

    A store outage before the first event is a 503 like on /v1/chat; after it, an `error`
    event with code `store_unavailable` ends the stream.
    """
    message = checked_message(assistant, body.message)
    services = services_of(request)
    thread_id = body.threadId or new_thread_id()
    events = await opened(stream_turn(services.turn_executor,
                                      lambda: assistant.stream(user_id, thread_id, message),
                                      services.settings.turn_timeout_s))
    return StreamingResponse(events, media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no",
                                      "X-Thread-Id": thread_id})


@router.get("/threads/{thread_id}", response_model=ThreadHistory,
            responses={**AUTH_ERRORS, **_errors(404, 422)})
async def thread_history(thread_id: ThreadId, request: Request, user_id: UserId,
                         assistant: ReadyAssistant) -> dict[str, Any]:
    """Your own conversation, oldest first. Someone else's thread id is simply not found."""
    turns = await store_call(request, assistant.history, user_id, thread_id)
    if turns is None:
        raise ApiError(404, "thread_not_found", "no thread with this id for your account")
    return {"threadId": thread_id, "messages": turns}


health_router = APIRouter(tags=["operations"])


@health_router.get("/healthz", response_model=Health, responses=_errors(503))
async def healthz(request: Request) -> dict[str, str]:
    """Ready when DynamoDB answers for the users table (no auth; for load balancers)."""
    services = services_of(request)
    try:
        await asyncio.wait_for(run_blocking(lambda: services.store.ping()), HEALTH_TIMEOUT_S)
    except TimeoutError as exc:
        raise store_unavailable(f"DynamoDB did not answer within {HEALTH_TIMEOUT_S:g} seconds"
                                ) from exc
    return {"status": "ok"}
