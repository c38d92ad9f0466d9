"""Every key prefix on the runtime table, spelled in one place.

The runtime table is shared by unrelated features (claims, links, small records); a prefix
spelled in two modules can drift and two features can then collide on one key. Each feature
builds its keys with a function here.
"""

from __future__ import annotations

SYNC_CLAIM_PREFIX = "SYNC#"


def sync_claim_key(user_id: str, platform_account_id: str) -> str:
    """The claim that lets exactly one process sync one connected account at a time."""
    return f"{SYNC_CLAIM_PREFIX}{user_id}#{platform_account_id}"
