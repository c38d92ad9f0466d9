"""Tools over cloudstro-users: the caller's own profile and preferences."""

from __future__ import annotations

from typing import Any

from langchain.tools import ToolRuntime, tool

from cloudstro.tools.common import caller, guarded
from cloudstro.tools.context import UserContext


@tool
@guarded
def get_my_profile(runtime: ToolRuntime[UserContext]) -> dict[str, Any]:
    """The user's profile: name, plan, timezone, connected platforms, AI and digest preferences."""
    context = caller(runtime)
    profile = context.store.users.get(context.user_id)
    if profile is None:
        return {"error": "no profile found for this user",
                "hint": "tell the user their CloudStro profile is missing"}
    return {
        "fullName": profile.fullName,
        "username": profile.username,
        "subscription": profile.subscription,
        "timezone": profile.zone,
        "connectedPlatforms": profile.socialAccountsConnected,
        "aiPreferences": profile.aiPreferences.model_dump(),
        "digest": profile.digest.model_dump(exclude_none=True) if profile.digest else None,
        "slackLinked": profile.slackUserId is not None,
    }
