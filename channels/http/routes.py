"""The HTTP API's routes: chat, streamed chat, a thread's history, health.

Every route that touches a conversation runs as the bearer token's user; the thread id
the caller sends is namespaced by that user inside the Assistant, so a thread id copied
from someone else resolves to nothing (404) and nothing of theirs is read.
"""

from __future__ import annotations

import asyncio
import contextvars
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import StreamingResponse

from cloudstro.agent.service import Assistant, MessageRejected, new_thread_id
from cloudstro.channels.errors import ApiError, store_unavailable
from cloudstro.channels.http.deps import (
    AUTH_ERRORS,
    ReadyAssistant,
    ServicesDep,
    UserId,
    error_responses,
    run_blocking,
    store_call,
)
from cloudstro.channels.http.models import (
    THREAD_ID_HELP,
    THREAD_ID_PATTERN,
    ChatReply,
    ChatRequest,
    Health,
    ThreadHistory,
)
from cloudstro.channels.http.streaming import opened, stream_turn

HEALTH_TIMEOUT_S = 3.0


def checked_message(assistant: Assistant, message: str) -> str:
    try:
        return assistant.check_message(message)
    except MessageRejected as exc:
        status = 413 if exc.code == "message_too_long" else 422
        raise ApiError(status, exc.code, str(exc)) from exc


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
             responses={**AUTH_ERRORS, **error_responses(400, 413, 422, 504)})
async def chat(body: ChatRequest, user_id: UserId, assistant: ReadyAssistant,
               services: ServicesDep) -> dict[str, Any]:
    """Ask one question; the answer comes back whole. Leave out threadId to start a thread.

    A store outage during the turn is a 503 `store_unavailable` with Retry-After (the turn
    raises the store's error; the app's error handlers answer it), not an apology.
    """
    message = checked_message(assistant, body.message)
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
                        **AUTH_ERRORS, **error_responses(400, 413, 422)})
async def chat_stream(body: ChatRequest, user_id: UserId, assistant: ReadyAssistant,
                      services: ServicesDep) -> StreamingResponse:
    """The same turn as /v1/chat, streamed as it is produced (Server-Sent Events).

    A store outage before the first event is a 503 like on /v1/chat; after it, an `error`
    event with code `store_unavailable` ends the stream.
    """
    message = checked_message(assistant, body.message)
    thread_id = body.threadId or new_thread_id()
    events = await opened(stream_turn(services.turn_executor,
                                      lambda: assistant.stream(user_id, thread_id, message),
                                      services.settings.turn_timeout_s))
    return StreamingResponse(events, media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no",
                                      "X-Thread-Id": thread_id})


@router.get("/threads/{thread_id}", response_model=ThreadHistory,
            responses={**AUTH_ERRORS, **error_responses(404, 422)})
async def thread_history(thread_id: ThreadId, request: Request, user_id: UserId,
                         assistant: ReadyAssistant) -> dict[str, Any]:
    """Your own conversation, oldest first. Someone else's thread id is simply not found."""
    turns = await store_call(request, assistant.history, user_id, thread_id)
    if turns is None:
        raise ApiError(404, "thread_not_found", "no thread with this id for your account")
    return {"threadId": thread_id, "messages": turns}


health_router = APIRouter(tags=["operations"])


@health_router.get("/healthz", response_model=Health, responses=error_responses(503))
async def healthz(services: ServicesDep) -> dict[str, str]:
    """Ready when DynamoDB answers for the users table (no auth; for load balancers)."""
    try:
        await asyncio.wait_for(run_blocking(lambda: services.store.ping()), HEALTH_TIMEOUT_S)
    except TimeoutError as exc:
        raise store_unavailable(f"DynamoDB did not answer within {HEALTH_TIMEOUT_S:g} seconds"
                                ) from exc
    return {"status": "ok"}
