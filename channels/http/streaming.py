"""A synchronous agent turn as Server-Sent Events, without blocking the event loop.

The agent is sync code; it runs in a worker thread and hands each event to the loop through
an asyncio queue. When the client goes away or the turn runs out of time, the worker is told
to stop at the next event and closes the agent's generator, so an abandoned stream does not
keep computing.

A store outage is answered like on every other route while it still can be: `stream_turn`
raises `StoreUnavailableError` if it happens before the first chunk, and `opened` waits for that
first chunk before the response (and its 200 status) goes out, so the route can send a 503
with Retry-After instead. Once the stream has begun, the outage is an `error` event, then the end.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import threading
from collections.abc import AsyncGenerator, Callable, Iterator
from concurrent.futures import Executor
from typing import Any

from cloudstro.agent.turns import Done, StreamEvent, TextDelta, ToolEvent
from cloudstro.channels.errors import error_payload
from cloudstro.store.errors import StoreUnavailableError

log = logging.getLogger("cloudstro.http")

KEEPALIVE_S = 15.0
_FINISHED = object()


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


def render(event: StreamEvent) -> str:
    if isinstance(event, TextDelta):
        return sse("delta", {"text": event.text})
    if isinstance(event, ToolEvent):
        data: dict[str, Any] = {"name": event.name, "phase": event.phase, "ok": event.ok}
        if event.phase == "start":
            data["args"] = event.args
        return sse("tool", data)
    reply = event.reply
    return sse("done", {**reply.as_json(), "failed": reply.failed})


async def stream_turn(executor: Executor, produce: Callable[[], Iterator[StreamEvent]],
                      timeout_s: float) -> AsyncGenerator[str, None]:
    """The turn's events as SSE text; raises `StoreUnavailableError` if the store fails before
    anything was sent."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[object] = asyncio.Queue()
    stop = threading.Event()

    def hand_over(item: object) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the loop is gone (server shutting down): nobody to tell
            stop.set()

    def pump() -> None:
        events = produce()
        try:
            for event in events:
                if stop.is_set():
                    break
                hand_over(event)
        except BaseException as exc:
            hand_over(_Failed(exc))
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()
            hand_over(_FINISHED)

    executor.submit(contextvars.copy_context().run, pump)
    deadline = loop.time() + timeout_s
    sent = False
    try:
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                log.warning("streamed turn timed out after %.0f s", timeout_s)
                yield sse("error", error_payload(
                    "turn_timeout", f"the answer took longer than {timeout_s:g} seconds"))
                return
            try:
                item = await asyncio.wait_for(queue.get(), min(remaining, KEEPALIVE_S))
            except TimeoutError:
                yield ": keep-alive\n\n"  # a comment line: proxies keep the stream open
                sent = True
                continue
            if isinstance(item, _Failed) and isinstance(item.exc, StoreUnavailableError):
                log.error("streamed turn: the data store is unavailable: %s", item.exc)
                if not sent:
                    raise item.exc
                yield sse("error", error_payload(
                    "store_unavailable", "the data store stopped answering; ask again shortly"))
                return
            if isinstance(item, _Failed):
                log.error("streamed turn failed: %s", type(item.exc).__name__,
                          exc_info=item.exc)
                yield sse("error", error_payload("internal_error",
                                                 "something went wrong on our side"))
                return
            if item is _FINISHED:
                yield sse("error", error_payload("internal_error",
                                                 "the answer ended without a result"))
                return
            yield render(item)  # type: ignore[arg-type]
            sent = True
            if isinstance(item, Done):
                return
    finally:
        stop.set()


async def opened(events: AsyncGenerator[str, None]) -> AsyncGenerator[str, None]:
    """`events` once their first chunk is ready, so a failure before it (raised by the first
    step) can still be answered with a status code; the chunk is then sent first."""
    try:
        first = await anext(events)
    except StopAsyncIteration:
        first = None

    async def from_the_first() -> AsyncGenerator[str, None]:
        try:
            if first is not None:
                yield first
            async for chunk in events:
                yield chunk
        finally:
            await events.aclose()

    return from_the_first()
