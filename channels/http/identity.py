"""Which CloudStro user a request acts for: the bearer token's subject, if that user exists.

A valid signature proves we issued the token, not that the user is still there; a short
cache keeps the existence check to about one DynamoDB read per user per minute.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from cloudstro.store import Store

CACHE_SECONDS = 60.0
MAX_CACHED_USERS = 10_000


class KnownUsers:
    def __init__(self, store: Callable[[], Store], ttl_s: float = CACHE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._store = store
        self._ttl_s = ttl_s
        self._clock = clock
        self._seen: dict[str, tuple[bool, float]] = {}
        self._lock = threading.Lock()

    def cached(self, user_id: str) -> bool | None:
        """True/False when known recently, None when the store must be asked."""
        with self._lock:
            hit = self._seen.get(user_id)
        if hit is None or self._clock() - hit[1] > self._ttl_s:
            return None
        return hit[0]

    def exists(self, user_id: str) -> bool:
        """Blocking (may read DynamoDB); call from a worker thread."""
        known = self.cached(user_id)
        if known is not None:
            return known
        found = self._store().users.get(user_id) is not None
        with self._lock:
            if len(self._seen) >= MAX_CACHED_USERS:
                self._seen.clear()
            self._seen[user_id] = (found, self._clock())
        return found
