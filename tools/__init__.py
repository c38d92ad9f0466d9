"""The agent's tools, one module per table. None takes a user id: identity comes from the
runtime context that the channel set after authenticating the caller."""

from cloudstro.tools.accounts import list_my_accounts
from cloudstro.tools.engagement import get_post_engagement
from cloudstro.tools.insights import list_my_insights, save_insight
from cloudstro.tools.posts import (
    get_best_time_to_post,
    get_content_performance,
    get_performance_summary,
    get_top_posts,
    list_my_posts,
)
from cloudstro.tools.users import get_my_profile

ALL_TOOLS = [
    get_my_profile,
    list_my_accounts,
    list_my_posts,
    get_top_posts,
    get_post_engagement,
    get_performance_summary,
    get_best_time_to_post,
    get_content_performance,
    list_my_insights,
    save_insight,
]

__all__ = ["ALL_TOOLS"]
