"""The runtime context every tool reads: who is asking, and the store to read from.

It is handed to the graph on each call (`context=`), never checkpointed, and never visible
to the model, so the model cannot change whose data a tool reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cloudstro.store import Store


@dataclass(frozen=True)
class UserContext:
    user_id: str
    store: Store
    now: datetime | None = None  # fixed "now" for reproducible tests and benchmarks
