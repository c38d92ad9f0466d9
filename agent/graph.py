"""The agent graph: model, tools, and the middleware that keeps a turn safe and cheap.

Read top to bottom: the system prompt (dated per turn), a cap on tool calls per turn, and
for Bedrock, retry with backoff on throttling and prompt caching of system prompt and tools.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError
from langchain.agents import create_agent
from langchain.agents.middleware import (
    ModelRequest,
    ModelRetryMiddleware,
    ToolCallLimitMiddleware,
    dynamic_prompt,
)
from langchain_core.language_models.chat_models import BaseChatModel
from langgraph.checkpoint.base import BaseCheckpointSaver

from cloudstro.agent.model import is_bedrock
from cloudstro.agent.prompts import load_prompt
from cloudstro.config import Settings
from cloudstro.tools import ALL_TOOLS
from cloudstro.tools.context import UserContext

RETRYABLE_BEDROCK_CODES = {"ThrottlingException", "ServiceUnavailableException",
                           "ModelNotReadyException", "InternalServerException",
                           "TooManyRequestsException"}


def is_retryable(error: Exception) -> bool:
    """Retry only what waiting can fix: throttling and transient service errors."""
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code") in RETRYABLE_BEDROCK_CODES
    return type(error).__name__ in {"ModelRateLimitError", "ModelConnectionError",
                                    "ModelTimeoutError"}


@dynamic_prompt
def dated_system_prompt(request: ModelRequest) -> str:
    context = request.runtime.context
    now = getattr(context, "now", None) or datetime.now(UTC)
    return load_prompt("system").replace("{today}", now.strftime("%A %Y-%m-%d"))


def build_agent(model: BaseChatModel, checkpointer: BaseCheckpointSaver[Any] | None,
                settings: Settings) -> Any:
    middleware: list[Any] = [
        dated_system_prompt,
        ToolCallLimitMiddleware(run_limit=settings.max_tool_calls_per_turn,
                                exit_behavior="continue"),
    ]
    if is_bedrock(model):
        from langchain_aws.middleware import BedrockPromptCachingMiddleware

        middleware += [
            ModelRetryMiddleware(max_retries=4, retry_on=is_retryable, initial_delay=1.0,
                                 backoff_factor=2.0, max_delay=20.0, jitter=True,
                                 on_failure="error"),
            BedrockPromptCachingMiddleware(ttl="5m"),
        ]
    return create_agent(model, tools=ALL_TOOLS, middleware=middleware,
                        context_schema=UserContext, checkpointer=checkpointer,
                        name="cloudstro")
