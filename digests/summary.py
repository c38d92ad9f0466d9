"""A few model-written sentences on top of the digest, when a real model is configured.

The digest is complete without them: every figure is already in the blocks. So a summary is
only asked for when Bedrock is configured, it sees only the digest itself (no tokens, no
other user's data), it is clipped to a short length, and any failure simply leaves it out.
"""

from __future__ import annotations

import logging
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from cloudstro.agent.messages import text_of
from cloudstro.agent.prompts import load_prompt
from cloudstro.config import Settings
from cloudstro.digests.model import Digest

log = logging.getLogger("cloudstro.digests")

MAX_SUMMARY_CHARS = 600
# The model sees what the blocks show; the heatmap grid and ids add tokens, not meaning.
_LEFT_OUT = {"heatmap", "summary", "userId", "followers_now", "period_start", "period_end"}


def summary_model(settings: Settings) -> BaseChatModel | None:
    """The Bedrock chat model when one is configured; None means "no summary"."""
    from cloudstro.agent.model import make_chat_model, use_offline

    if use_offline(settings):
        return None
    try:
        return make_chat_model(settings)
    except Exception as exc:  # misconfiguration must not stop digests
        log.warning("digest summaries disabled: %s", type(exc).__name__)
        return None


def summarize(digest: Digest, model: BaseChatModel | None) -> str | None:
    """Two or three sentences, or None when there is no model or it failed."""
    if model is None:
        return None
    payload = digest.model_dump_json(exclude=_LEFT_OUT)
    try:
        reply: Any = model.invoke([SystemMessage(load_prompt("digest_summary")),
                                   HumanMessage(payload)])
    except Exception as exc:  # throttling, timeouts, auth: the digest goes out without it
        log.warning("digest summary failed for %s: %s", digest.userId, type(exc).__name__)
        return None
    text = " ".join(text_of(reply).split())
    if not text:
        return None
    return text if len(text) <= MAX_SUMMARY_CHARS else text[: MAX_SUMMARY_CHARS - 1] + "…"
