"""The tool that connects an account: a link where the user approves CloudStro on a platform.

Like every tool it takes no user id: the link is issued for the caller in the runtime context,
so the account the platform sends back is stored under the caller and nobody else. It returns
a link, never a token: the tokens arrive later, at the server's callback, and never pass
through the model. The link works once, for ten minutes; a channel that can show a button
(Slack) adds one under the answer. A turn from Slack gets a link that only that Slack user can
finish (they sign in to Slack first), so a link copied out of the answer is no use to anyone
else; any other link first shows whose profile it connects to.
"""

from __future__ import annotations

from typing import Any

from langchain.tools import ToolRuntime, tool

from cloudstro.ingest.oauth import STATE_TTL, NotConfigured, UnknownPlatform, begin_connection
from cloudstro.store.platforms import display_name, platform_info
from cloudstro.tools.common import ToolInputError, caller, guarded, now_of
from cloudstro.tools.context import UserContext


@tool
@guarded
def connect_account(platform: str, runtime: ToolRuntime[UserContext]) -> dict[str, Any]:
    """A link where the user connects (or reconnects) one of their social accounts.

    Use it when the user asks to connect, add, link or reconnect an account, and offer it when
    they ask about a platform they have not connected. `platform`: twitter (or x), instagram,
    facebook or tiktok. Give the user `authorizeUrl` as a link: it works once, for
    `expiresInMinutes`, and only for them. When `signInWithSlackFirst` is true, tell them the
    link asks them to sign in with Slack before the platform's page (that is what keeps anyone
    else from using it); otherwise that it first shows a CloudStro page to continue from.
    RedNote has no API and is imported instead.
    """
    context = caller(runtime)
    try:
        link = begin_connection(context.store, context.store.settings, context.user_id, platform,
                               now_of(context), requester=context.slack)
    except UnknownPlatform as exc:
        raise ToolInputError(str(exc)) from exc
    except NotConfigured as exc:
        return {"error": str(exc),
                "hint": "tell the user connecting this platform is not set up yet"}
    name = platform_info(platform).name
    existing = context.store.accounts.list_for_platform(context.user_id, name)
    return {
        "platform": name,
        "platformName": display_name(name),
        "authorizeUrl": link.url,
        "signInWithSlackFirst": link.slack_signin,
        "expiresInMinutes": int(STATE_TTL.total_seconds() // 60),
        "alreadyConnected": [a.accountHandle or a.accountName for a in existing],
        "needsReconnecting": [a.accountHandle or a.accountName for a in existing
                              if a.needs_reconnecting],
    }
