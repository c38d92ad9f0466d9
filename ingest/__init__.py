"""Sync: connected accounts' posts and numbers, pulled from each platform into the tables.

A batch package beside `insights/` and `digests/`: it uses `store/` and never `agent/` or
`channels/`. One connector module per platform (`twitter`, `instagram`, `facebook`, `tiktok`)
behind `registry`, on the shared HTTP layer in `http`; `engine` decides what to list and
measure and writes through `writer`, which every other source of posts also uses.
"""

from cloudstro.ingest.engine import AccountSyncResult, SyncEngine

__all__ = ["AccountSyncResult", "SyncEngine"]
