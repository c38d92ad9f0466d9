"""Tools over cloudstro-social-engagement: one post's history and early velocity."""

from __future__ import annotations

from typing import Any

from langchain.tools import ToolRuntime, tool
from pydantic import ValidationError

from cloudstro.analytics import engagement_velocity
from cloudstro.tools.common import ToolInputError, caller, guarded, unreadable
from cloudstro.tools.context import UserContext


@tool
@guarded
def get_post_engagement(runtime: ToolRuntime[UserContext], post_id: str) -> dict[str, Any]:
    """One post's engagement over time: interactions after 30 minutes, 1 hour and 24 hours.

    Args:
        post_id: the post's id as listed by list_my_posts, like "instagram#1234567890".
    """
    context = caller(runtime)
    if "#" not in post_id:
        raise ToolInputError(f"post_id must look like 'platform#id', got {post_id!r}; "
                             "use list_my_posts to find it")
    try:
        post = context.store.posts.get(context.user_id, post_id)
    except ValidationError:
        return {"error": f"post {post_id!r} could not be read", "unreadable": {"post": 1},
                "hint": "tell the user this post's stored data is damaged; others are fine"}
    if post is None:
        return {"error": f"no post {post_id!r} among this user's posts",
                "hint": "use list_my_posts to find the right id"}
    snapshots = context.store.engagement.history_for_post(context.user_id, post_id, limit=500)
    velocity = engagement_velocity(post, snapshots)
    return {"postId": post.postId, "platform": post.platform,
            "createdAt": post.createdAtISO, "content": post.content[:120],
            **velocity.model_dump(mode="json", exclude_none=True),
            **unreadable({"engagement snapshot": snapshots})}
