"""The offline model, with DynamoDB failing while it works out its first step.

It stands for an outage that starts in the middle of a turn: memory was read, the model is
thinking, and by the time its tool call reaches the store, the store no longer answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage

from cloudstro.agent.offline import OfflineChatModel


class OutageWhileThinking(OfflineChatModel):
    """Calls `take_store_down` (for example a `FlakyProxy`'s `down`) on every model step."""

    take_store_down: Callable[[], Any]

    def _reply(self, messages: list[BaseMessage]) -> AIMessage:
        self.take_store_down()
        return super()._reply(messages)
