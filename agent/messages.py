"""Reading text out of chat messages, whose content is a string or a list of blocks."""

from __future__ import annotations

from langchain_core.messages import BaseMessage


def text_of(message: BaseMessage) -> str:
    """The message's text; Bedrock returns lists of blocks where tool use mixes with text."""
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(block.get("text", "") for block in content
                   if isinstance(block, dict) and block.get("type", "text") == "text")
