"""A deterministic local chat model for the demo, the tests and machines without Bedrock.

It speaks the same protocol as the real model inside the same graph: it answers a question
with tool calls, then writes a plain answer from the tool results. So the tools, identity,
memory and channels are exercised exactly as in production; only the wording differs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    ToolMessage,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from cloudstro.agent.messages import text_of
from cloudstro.agent.offline_answers import compose_answer
from cloudstro.agent.offline_intents import understand
from cloudstro.agent.prompts import load_prompt

OFFLINE_MODEL_NAME = "cloudstro-offline"


class OfflineChatModel(BaseChatModel):
    """Keyword understanding in, tool calls out; tool results in, plain sentences out."""

    @property
    def _llm_type(self) -> str:
        return OFFLINE_MODEL_NAME

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Any:
        # The tools it can call are fixed by its rules; binding only has to be accepted.
        return self

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any
                  ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._reply(messages))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any
                ) -> Iterator[ChatGenerationChunk]:
        reply = self._reply(messages)
        if reply.tool_calls:
            yield ChatGenerationChunk(message=AIMessageChunk(
                content="", tool_call_chunks=[
                    {"name": call["name"], "args": json.dumps(call["args"]), "id": call["id"],
                     "index": index, "type": "tool_call_chunk"}
                    for index, call in enumerate(reply.tool_calls)]))
            return
        words = str(reply.content).split(" ")
        for index, word in enumerate(words):
            piece = word if index == len(words) - 1 else word + " "
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk

    def _reply(self, messages: list[BaseMessage]) -> AIMessage:
        last_human = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)),
                         default=-1)
        if last_human < 0:
            return AIMessage(content=load_prompt("offline_help"))
        results = [m for m in messages[last_human + 1:] if isinstance(m, ToolMessage)]
        if results:
            answer = compose_answer([(m.name or "", _parse(m)) for m in results])
            return AIMessage(content=self._with_banner(messages, answer))
        intent = understand(text_of(messages[last_human]))
        if not intent.tool_calls:
            return AIMessage(content=self._with_banner(messages, load_prompt("offline_help")))
        turn = sum(isinstance(m, HumanMessage) for m in messages)
        return AIMessage(content="", tool_calls=[
            {"name": name, "args": args, "id": f"offline_{turn}_{index}", "type": "tool_call"}
            for index, (name, args) in enumerate(intent.tool_calls)])

    @staticmethod
    def _with_banner(messages: list[BaseMessage], answer: str) -> str:
        """Say once per thread (the thread's history is in `messages`) that this is offline."""
        banner = load_prompt("offline_intro")
        if any(isinstance(m, AIMessage) and banner in text_of(m) for m in messages):
            return answer
        return f"{banner}\n\n{answer}"


def _parse(message: ToolMessage) -> Any:
    text = text_of(message)
    try:
        return json.loads(text)
    except (json.JSONDecodeError, TypeError):
        return {"error": text}
