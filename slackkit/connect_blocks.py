"""The Connect and Reconnect buttons, the same wherever CloudStro shows them in Slack.

The App Home, an answer to "connect my Instagram" and the message that tells an owner an account
needs reconnecting all offer the same buttons, and the Slack app acknowledges their clicks by
`action_id`; spelling them once here keeps every place and the listeners in step. This module
sits outside `channels/` because the sync job sends the reconnect message too.

Two kinds of button, for two lifetimes of a link: an authorize URL is good for ten minutes,
so a button shown right after it was issued (the App Home as it opens, an answer) carries the
URL itself (`link_button`; the click only needs an acknowledgement), while a message that may
be read days later carries a button without a URL (`reconnect_request_button`) whose click
issues a fresh link. Text from a platform (an account name, a refusal reason) is data and goes
through `safe_text`.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, SectionBlock

from cloudstro.slackkit.safe_text import mrkdwn_object, mrkdwn_text
from cloudstro.store.platforms import display_name

LinkKind = Literal["connect", "reconnect"]

# `<kind>:<platform>[:<account id>]`: action ids must differ within one block, and several
# Connect buttons share one actions block.
LINK_ACTION_PREFIX = "cloudstro_link"
LINK_ACTION = re.compile(rf"^{LINK_ACTION_PREFIX}:(connect|reconnect):")
RECONNECT_REQUEST_ACTION = "cloudstro_reconnect_request"
MAX_URL_CHARS = 3000  # Slack's limit on a button's url


def link_action_id(kind: LinkKind, platform: str, account_id: str | None = None) -> str:
    suffix = f":{account_id}" if account_id else ""
    return f"{LINK_ACTION_PREFIX}:{kind}:{platform}{suffix}"[:255]


def link_button(kind: LinkKind, platform: str, url: str, *,
                account_id: str | None = None) -> ButtonElement:
    """A button that opens `url` (an authorize URL CloudStro issued) in the browser."""
    if len(url) > MAX_URL_CHARS:
        raise ValueError(f"an authorize URL of {len(url)} characters does not fit a button")
    verb = "Connect" if kind == "connect" else "Reconnect"
    return ButtonElement(text=f"{verb} {display_name(platform)}", url=url, value=platform,
                         action_id=link_action_id(kind, platform, account_id),
                         style="primary" if kind == "connect" else None)


def reconnect_request_button(platform: str) -> ButtonElement:
    """A Reconnect button whose click asks the app for a fresh link (no URL of its own)."""
    return ButtonElement(text=f"Reconnect {display_name(platform)}", value=platform,
                         action_id=RECONNECT_REQUEST_ACTION, style="primary")


def reauth_notice(platform: str, account_name: str | None,
                  reason: str | None) -> tuple[str, list[dict[str, Any]]]:
    """The message telling an owner an account needs reconnecting: (fallback text, blocks)."""
    name = display_name(platform)
    who = f" {mrkdwn_text(account_name)}" if account_name else ""
    why = f" ({mrkdwn_text(reason)})" if reason else ""
    text = (f"Your {name} account{who} needs reconnecting: {name} no longer accepts "
            f"CloudStro's access{why}. Its posts and numbers are not updated until you "
            "reconnect it.")
    blocks = [SectionBlock(text=mrkdwn_object(text)),
              ActionsBlock(elements=[reconnect_request_button(platform)])]
    fallback = f"Your {name} account needs reconnecting."
    return fallback, [block.to_dict() for block in blocks]
