"""Tools over cloudstro-social-accounts: connections, followers and sync health (no tokens)."""

from __future__ import annotations

from typing import Any

from langchain.tools import ToolRuntime, tool

from cloudstro.tools.common import caller, guarded, unreadable
from cloudstro.tools.context import UserContext


@tool
@guarded
def list_my_accounts(runtime: ToolRuntime[UserContext]) -> dict[str, Any]:
    """The user's connected social accounts with followers, following and sync status."""
    context = caller(runtime)
    accounts = context.store.accounts.list_for_user(context.user_id, limit=50)
    return {
        "accounts": [
            {"platform": a.platform, "handle": a.accountHandle, "name": a.accountName,
             "followers": a.followerCount, "following": a.followingCount,
             "active": a.isActive, "syncStatus": a.syncStatus,
             "lastSyncAt": a.lastSyncAt.isoformat() if a.lastSyncAt else None}
            for a in accounts
        ],
        "count": len(accounts),
        **unreadable({"account": accounts}),
    }
