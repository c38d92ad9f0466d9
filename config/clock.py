"""The one source of "now" for code that answers about periods ("this week", "last 7 days").

A component that needs the time takes a `Clock` and defaults to `utc_now`; tests and
benchmarks pass a fixed clock to the component, so the data they seed and the code that
reads it agree on the date whatever day the suite runs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def fixed_clock(moment: datetime) -> Clock:
    """A clock stopped at `moment` (which must be timezone-aware)."""
    if moment.tzinfo is None:
        raise ValueError("a fixed clock needs a timezone-aware moment")
    return lambda: moment
