"""How often a post's numbers are measured again, by the post's age.

Engagement moves fast in a post's first two days and hardly at all after a month. Measuring
young posts often gives digests real 1 h / 24 h velocity; measuring old posts rarely keeps the
platform requests (and X's per-read price) proportional to what changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RefreshTier:
    younger_than: timedelta
    every: timedelta


TIERS: tuple[RefreshTier, ...] = (
    RefreshTier(timedelta(hours=48), timedelta(hours=3)),
    RefreshTier(timedelta(days=7), timedelta(days=1)),
    RefreshTier(timedelta(days=30), timedelta(days=7)),
)
# Posts older than this are measured again only when asked (`sync --full`).
REFRESH_HORIZON = TIERS[-1].younger_than


def refresh_interval(created_at: datetime, now: datetime) -> timedelta | None:
    """How long a measurement of a post created at `created_at` stays fresh; None = never."""
    age = now - created_at
    for tier in TIERS:
        if age < tier.younger_than:
            return tier.every
    return None


def is_due(created_at: datetime, measured_at: datetime | None, now: datetime,
           *, include_old: bool = False) -> bool:
    """True when the post should be measured again in a run at `now`."""
    if measured_at is None:
        return True
    interval = refresh_interval(created_at, now)
    if interval is None:
        return include_old
    return now - measured_at >= interval
