"""The one entry point every channel calls: a user, a thread, a message; a reply back.

Channels authenticate and resolve the CloudStro user id; this module turns it into the
runtime context the tools read, namespaces the thread by user (so no caller can reach
another user's conversation), and turns model or tool failures into a short apology.

A store outage is not such a failure: `StoreUnavailableError` leaves `respond` and `stream`
as itself, wherever in the turn it happened (memory, a tool), because no answer can be written
without the data and each channel has its own honest way to say "try again shortly" (an HTTP
503 with Retry-After, an apology in the Slack thread, a one-line error in the terminal).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from cloudstro.agent.graph import build_agent
from cloudstro.agent.memory import make_checkpointer
from cloudstro.agent.messages import text_of
from cloudstro.agent.model import make_chat_model
from cloudstro.agent.offline import OfflineChatModel
from cloudstro.agent.turns import (
    APOLOGY,
    GUARDRAIL,
    Done,
    MessageRejected,
    Reply,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolEvent,
)
from cloudstro.config import Clock, Settings, utc_now
from cloudstro.ingest.oauth.browser import SlackRequester
from cloudstro.store import Store
from cloudstro.store.errors import StoreUnavailableError
from cloudstro.tools.context import UserContext

log = logging.getLogger("cloudstro.agent")

__all__ = ["APOLOGY", "CUT_SHORT", "GUARDRAIL", "Assistant", "Done", "MessageRejected", "Reply",
           "StreamEvent", "TextDelta", "ToolCall", "ToolEvent", "new_thread_id",
           "tool_succeeded"]

CUT_SHORT = "\n\n(My answer hit the length limit and was cut short; ask for a narrower answer.)"


class Assistant:
    def __init__(self, store: Store, settings: Settings | None = None, model: Any = None,
                 checkpointer: Any = None, clock: Clock = utc_now) -> None:
        self.store = store
        self.clock = clock
        self.settings = settings or store.settings
        self.model = model or make_chat_model(self.settings)
        self.checkpointer = checkpointer or make_checkpointer(store.dynamo)
        self.graph = build_agent(self.model, self.checkpointer, self.settings)

    @property
    def offline(self) -> bool:
        return isinstance(self.model, OfflineChatModel)

    # ------------------------------------------------------------------ turns

    def respond(self, user_id: str, thread_id: str | None, message: str,
                now: datetime | None = None, slack: SlackRequester | None = None) -> Reply:
        """One turn; never raises for model or tool failures (the reply apologises).

        Raises `StoreUnavailableError` when DynamoDB did not serve the turn.
        """
        text = self.check_message(message)
        thread_id = thread_id or new_thread_id()
        try:
            state = self.graph.invoke(
                {"messages": [HumanMessage(content=text)]},
                config=self._config(user_id, thread_id),
                context=UserContext(user_id=user_id, store=self.store, now=now or self.clock(),
                                    slack=slack),
                durability="exit",
            )
        except StoreUnavailableError:
            raise
        except Exception as exc:
            log.exception("turn failed: %s", type(exc).__name__)
            return Reply(thread_id, APOLOGY, failed=True)
        return self._reply_from(thread_id, _this_turn(state["messages"]))

    def stream(self, user_id: str, thread_id: str | None, message: str,
               now: datetime | None = None, slack: SlackRequester | None = None
               ) -> Iterator[StreamEvent]:
        """The same turn as `respond`, as text deltas and tool events, then `Done`.

        Raises `StoreUnavailableError` (possibly after some events) when DynamoDB did not
        serve the turn.
        """
        text = self.check_message(message)
        thread_id = thread_id or new_thread_id()
        turn: list[BaseMessage] = [HumanMessage(content=text)]
        try:
            for mode, payload in self.graph.stream(
                {"messages": [HumanMessage(content=text)]},
                config=self._config(user_id, thread_id),
                context=UserContext(user_id=user_id, store=self.store, now=now or self.clock(),
                                    slack=slack),
                stream_mode=["messages", "updates"], durability="exit",
            ):
                if mode == "messages":
                    chunk, meta = payload
                    if meta.get("langgraph_node") == "model" and isinstance(chunk, AIMessage):
                        delta = text_of(chunk)
                        if delta:
                            yield TextDelta(delta)
                    continue
                for node, update in (payload or {}).items():
                    for produced in (update or {}).get("messages", []) if isinstance(
                            update, dict) else []:
                        turn.append(produced)
                        if node == "model" and isinstance(produced, AIMessage):
                            for call in produced.tool_calls:
                                yield ToolEvent(call["name"], call["args"], "start")
                        elif isinstance(produced, ToolMessage):
                            yield ToolEvent(produced.name or "", {}, "end",
                                            ok=tool_succeeded(produced))
        except StoreUnavailableError:
            raise
        except Exception as exc:
            log.exception("streamed turn failed: %s", type(exc).__name__)
            yield TextDelta(APOLOGY)
            yield Done(Reply(thread_id, APOLOGY, failed=True))
            return
        yield Done(self._reply_from(thread_id, turn))

    def check_message(self, message: str) -> str:
        text = (message or "").strip()
        if not text:
            raise MessageRejected("the message is empty; ask a question about your accounts",
                                  "empty_message")
        limit = self.settings.max_message_chars
        if len(text) > limit:
            raise MessageRejected(f"the message is {len(text)} characters long; the limit is "
                                  f"{limit}", "message_too_long")
        return text

    # ------------------------------------------------------------------ threads

    def history(self, user_id: str, thread_id: str) -> list[dict[str, Any]] | None:
        """The caller's own thread as user/assistant turns; None when it does not exist."""
        state = self.graph.get_state(self._config(user_id, thread_id))
        messages = state.values.get("messages") if state and state.values else None
        if not messages:
            return None
        turns: list[dict[str, Any]] = []
        for message in messages:
            if isinstance(message, HumanMessage):
                turns.append({"role": "user", "text": text_of(message)})
            elif isinstance(message, AIMessage):
                calls = [{"name": c["name"], "args": c["args"]} for c in message.tool_calls]
                text = text_of(message)
                if text or calls:
                    turns.append({"role": "assistant", "text": text, "toolCalls": calls})
        return turns

    @staticmethod
    def _config(user_id: str, thread_id: str) -> dict[str, Any]:
        # The stored thread key carries the user id: a thread id guessed or copied from
        # another user resolves to a different, empty thread, never to theirs.
        return {"configurable": {"thread_id": f"{user_id}/{thread_id}"},
                "recursion_limit": 40}

    @staticmethod
    def _reply_from(thread_id: str, turn: list[BaseMessage]) -> Reply:
        calls = [ToolCall(c["name"], dict(c["args"])) for m in turn if isinstance(m, AIMessage)
                 for c in m.tool_calls]
        answers = [m for m in turn if isinstance(m, AIMessage)]
        if not answers:
            return Reply(thread_id, APOLOGY, calls, failed=True)
        final = answers[-1]
        text = text_of(final).strip()
        stop = (final.response_metadata or {}).get("stopReason")
        if stop == "guardrail_intervened":
            text = GUARDRAIL
        elif stop == "max_tokens":
            text = (text + CUT_SHORT) if text else CUT_SHORT.strip()
        elif not text:
            text = APOLOGY
        return Reply(thread_id, text, calls)


def tool_succeeded(message: ToolMessage) -> bool:
    """Tools report failure as `{"error": ...}` (see tools.common.guarded) or an error status."""
    if message.status == "error":
        return False
    try:
        result = json.loads(text_of(message))
    except (json.JSONDecodeError, TypeError):
        return True
    return not (isinstance(result, dict) and "error" in result)


def _this_turn(messages: list[BaseMessage]) -> list[BaseMessage]:
    last_human = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)),
                     default=0)
    return messages[last_human:]


def new_thread_id() -> str:
    return uuid.uuid4().hex
