"""The agent's tools, one module per table, declared once in `TOOLS`.

None takes a user id: identity comes from the runtime context that the channel set after
authenticating the caller. Each entry of `TOOLS` carries the tool and the status a channel shows
while it runs; the offline responder's intent and answer for it are keyed by its name in
`agent/offline_intents.py` and `agent/offline_answers.py` (tests/tools checks none is missing).
The order of `TOOLS` is the order the model is shown the tools in.
"""

from cloudstro.tools.accounts import list_my_accounts
from cloudstro.tools.connections import connect_account
from cloudstro.tools.engagement import get_post_engagement
from cloudstro.tools.insights import list_my_insights, save_insight
from cloudstro.tools.posts import (
    get_best_time_to_post,
    get_content_performance,
    get_performance_summary,
    get_top_posts,
    list_my_posts,
)
from cloudstro.tools.spec import READING_YOUR_DATA, ToolSpec
from cloudstro.tools.users import get_my_profile

TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(get_my_profile, status=READING_YOUR_DATA),
    ToolSpec(list_my_accounts, status=READING_YOUR_DATA),
    ToolSpec(list_my_posts, status=READING_YOUR_DATA),
    ToolSpec(get_top_posts, status=READING_YOUR_DATA),
    ToolSpec(get_post_engagement, status=READING_YOUR_DATA),
    ToolSpec(get_performance_summary, status="is reading your performance…"),
    ToolSpec(get_best_time_to_post, status="is checking when your audience is active…"),
    ToolSpec(get_content_performance, status=READING_YOUR_DATA),
    ToolSpec(list_my_insights, status=READING_YOUR_DATA),
    ToolSpec(save_insight, status=READING_YOUR_DATA),
    ToolSpec(connect_account, status="is preparing your link to connect…"),
)

ALL_TOOLS = [spec.tool for spec in TOOLS]  # what the agent graph binds
_BY_NAME = {spec.name: spec for spec in TOOLS}


def tool_status(name: str) -> str:
    """The status a channel shows while the named tool runs (a name the model invented, too)."""
    spec = _BY_NAME.get(name)
    return spec.status if spec else READING_YOUR_DATA


__all__ = [
    "ALL_TOOLS",
    "TOOLS",
    "ToolSpec",
    "connect_account",
    "get_best_time_to_post",
    "get_content_performance",
    "get_my_profile",
    "get_performance_summary",
    "get_post_engagement",
    "get_top_posts",
    "list_my_accounts",
    "list_my_insights",
    "list_my_posts",
    "save_insight",
    "tool_status",
]
