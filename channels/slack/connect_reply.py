"""Connect buttons under an answer: after "connect my instagram", or a question about a platform
the person has not connected yet.

The agent's `connect_account` tool puts a link in the answer's text; in Slack the answer also
gets a button, with a link issued here for the person the channel resolved (the tool's link
stays in the text, for channels without buttons). A question that names an API platform the
person has no account on ("how is my TikTok doing?") gets the suggestion to connect it, with
the same button, whatever the model wrote.

An authorize link is bound to the person who asked: anyone else who followed it would attach
their own platform account to the asker's CloudStro profile. So every link made here names the
asker's Slack user, and (with Sign in with Slack configured) only a browser signed in as that
Slack user can finish it; and, so that nobody is even offered a link that is not theirs,
buttons go under answers in DMs and assistant threads, and an answer in a channel that holds a
link (`offers_a_link`) is shown to the asker alone, as an ephemeral message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, SectionBlock

from cloudstro.agent.offline_intents import find_platform
from cloudstro.config import Clock, Settings
from cloudstro.ingest.oauth import (
    ConnectError,
    SlackRequester,
    begin_connection,
    connectable_platform,
)
from cloudstro.slackkit.connect_blocks import LinkKind, link_button
from cloudstro.slackkit.safe_text import mrkdwn_object
from cloudstro.store import Store
from cloudstro.store.platforms import API_PLATFORMS, display_name

log = logging.getLogger("cloudstro.slack")

CONNECT_TOOL = "connect_account"

# (user id, platform, the Slack user asking) -> a link only that Slack user can finish
LinkIssuer = Callable[[str, str, SlackRequester], str]


def link_issuer(store: Store, settings: Settings, clock: Clock) -> LinkIssuer:
    """Authorize links from the OAuth flow, issued at `clock`'s time."""
    return lambda user_id, platform, requester: begin_connection(
        store, settings, user_id, platform, clock(), requester=requester).url


def connect_blocks(store: Store, issue_link: LinkIssuer, user_id: str, requester: SlackRequester,
                   question: str, tool_calls: Sequence[Any]) -> list[dict[str, Any]]:
    """Blocks to add under an answer (none when the answer offers no connection)."""
    asked = _platforms_asked_for(tool_calls)
    suggested: str | None = None
    if not asked:
        named = find_platform(question)
        if named in API_PLATFORMS and not store.accounts.list_for_platform(user_id, named):
            suggested = named
            asked = [named]
    buttons = []
    for platform in asked:
        kind: LinkKind = "reconnect" if platform != suggested and any(
            account.needs_reconnecting
            for account in store.accounts.list_for_platform(user_id, platform)) else "connect"
        try:
            buttons.append(link_button(kind, platform, issue_link(user_id, platform,
                                                                  requester)))
        except ConnectError as exc:
            log.info("no %s button under the answer: %s", platform, type(exc).__name__)
    if not buttons:
        return []
    blocks: list[Block] = []
    if suggested is not None:
        name = display_name(suggested)
        blocks.append(SectionBlock(text=mrkdwn_object(
            f"You haven't connected {name} yet. Connect it and its numbers arrive here a few "
            "minutes after you approve CloudStro.")))
    blocks.append(ActionsBlock(elements=buttons))
    return [block.to_dict() for block in blocks]


def offers_a_link(tool_calls: Sequence[Any]) -> bool:
    """Whether the agent issued an authorize link in this turn."""
    return any(getattr(call, "name", None) == CONNECT_TOOL for call in tool_calls)


def _platforms_asked_for(tool_calls: Sequence[Any]) -> list[str]:
    """Platforms the agent called `connect_account` for this turn, in order, once each."""
    platforms: list[str] = []
    for call in tool_calls:
        if getattr(call, "name", None) != CONNECT_TOOL:
            continue
        try:
            platform = connectable_platform(str((call.args or {}).get("platform", "")))
        except ConnectError:
            continue
        if platform not in platforms:
            platforms.append(platform)
    return platforms
