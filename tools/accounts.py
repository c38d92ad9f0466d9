"""Tools over cloudstro-social-accounts: connections, followers and sync health (no tokens).

An account whose tokens the platform refused is marked `needsReconnecting` with the reason, so
the assistant can tell the user which connection to renew instead of reporting stale numbers.
"""

from __future__ import annotations

from typing import Any

from langchain.tools import ToolRuntime, tool

from cloudstro.tools.common import caller, guarded, unreadable
from cloudstro.tools.context import UserContext


@tool
@guarded
def list_my_accounts(runtime: ToolRuntime[UserContext]) -> dict[str, Any]:
    """The user's connected social accounts: followers, following, status and sync status.

    `needsReconnecting` is true when the platform refused the account's tokens; the user must
    reconnect it before its posts and counts are updated again (`statusReason` says why).
    """
    context = caller(runtime)
    accounts = context.store.accounts.list_for_user(context.user_id, limit=50)
    return {
        "accounts": [
            {"platform": a.platform, "handle": a.accountHandle, "name": a.accountName,
             "followers": a.followerCount, "following": a.followingCount,
             "active": a.isActive, "status": a.accountStatus,
             "needsReconnecting": a.needs_reconnecting, "statusReason": a.statusReason,
             "syncStatus": a.syncStatus,
             "lastSyncAt": a.lastSyncAt.isoformat() if a.lastSyncAt else None}
            for a in accounts
        ],
        "count": len(accounts),
        **unreadable({"account": accounts}),
    }
