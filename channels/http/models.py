"""The API's request and response bodies, as they appear in the OpenAPI document."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

THREAD_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,128}$"
THREAD_ID_HELP = "1-128 characters of letters, digits and _ . : -"


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field(min_length=1, description=(
        "What you ask, in plain language. Longer than the server's limit "
        "(CLOUDSTRO_MAX_MESSAGE_CHARS, 4000 by default) is refused with 413."),
        examples=["How did I do this week?"])
    threadId: str | None = Field(None, pattern=THREAD_ID_PATTERN, description=(
        f"Continue this conversation ({THREAD_ID_HELP}); leave out to start a new one."))


class ToolCallOut(BaseModel):
    name: str
    args: dict[str, Any]


class ChatReply(BaseModel):
    threadId: str
    reply: str
    toolCalls: list[ToolCallOut]
    failed: bool = Field(description="True when the turn could not finish and the reply "
                                     "is an apology; asking again is safe.")


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    text: str
    toolCalls: list[ToolCallOut] | None = None


class ThreadHistory(BaseModel):
    threadId: str
    messages: list[Turn]


class Health(BaseModel):
    status: Literal["ok"]
