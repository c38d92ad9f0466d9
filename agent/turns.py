"""What a turn produces, as every channel sees it: the reply, its stream events, the refusals.

These types live apart from `service` so that a channel can name them without importing the
agent itself: the agent pulls in LangGraph and the model SDKs, which a Slack Lambda must not
pay for before it has acknowledged the request. `cloudstro.agent.service` re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

APOLOGY = ("Sorry, I couldn't finish that just now: something went wrong on my side. "
           "Please try again in a moment.")
GUARDRAIL = "I can't help with that request."


class MessageRejected(ValueError):
    """The message cannot be answered as sent (empty or too long); the text says why."""

    def __init__(self, reason: str, code: str) -> None:
        super().__init__(reason)
        self.code = code


@dataclass(frozen=True)
class ToolCall:
    name: str
    args: dict[str, Any]


@dataclass
class Reply:
    thread_id: str
    reply: str
    tool_calls: list[ToolCall] = field(default_factory=list)
    failed: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"threadId": self.thread_id, "reply": self.reply,
                "toolCalls": [{"name": c.name, "args": c.args} for c in self.tool_calls]}


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class ToolEvent:
    name: str
    args: dict[str, Any]
    phase: str  # "start" | "end"
    ok: bool = True


@dataclass(frozen=True)
class Done:
    reply: Reply


StreamEvent = TextDelta | ToolEvent | Done

__all__ = ["APOLOGY", "GUARDRAIL", "Done", "MessageRejected", "Reply", "StreamEvent",
           "TextDelta", "ToolCall", "ToolEvent"]
