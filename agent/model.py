"""Which chat model answers: Bedrock Claude when configured, else the offline responder."""

from __future__ import annotations

import logging
from typing import Any

import boto3
from botocore.config import Config
from langchain_core.language_models.chat_models import BaseChatModel

from cloudstro.agent.offline import OfflineChatModel
from cloudstro.config import Settings
from cloudstro.store.dynamo import credentials_available

log = logging.getLogger("cloudstro.agent")

MAX_OUTPUT_TOKENS = 2048


def use_offline(settings: Settings) -> bool:
    """Offline when asked to, or in "auto" mode when no AWS credentials can be found."""
    if settings.llm == "offline":
        return True
    if settings.llm == "bedrock":
        return False
    return not credentials_available()


def make_chat_model(settings: Settings, bedrock_client: Any | None = None) -> BaseChatModel:
    if use_offline(settings):
        return OfflineChatModel()
    from langchain_aws import ChatBedrockConverse

    # Retries on throttling happen in the graph (ModelRetryMiddleware) with backoff we
    # control; the SDK's own retries stay few so one slow turn cannot stack both.
    client = bedrock_client or boto3.client(
        "bedrock-runtime", region_name=settings.bedrock_region,
        config=Config(retries={"mode": "standard", "max_attempts": 2}, read_timeout=60,
                      connect_timeout=5))
    return ChatBedrockConverse(model_id=settings.bedrock_model_id, client=client,
                               region_name=settings.bedrock_region,
                               max_tokens=MAX_OUTPUT_TOKENS, temperature=0.2)


def is_bedrock(model: BaseChatModel) -> bool:
    """Bedrock-only middleware (retry on throttling, prompt caching) applies to these."""
    from langchain_aws import ChatBedrockConverse

    return isinstance(model, ChatBedrockConverse)
