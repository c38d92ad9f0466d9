"""Per-user request budget: a token bucket per user, kept in this process.

A bucket holds up to `per_minute` requests and refills continuously, so a user may burst a
minute's worth and then runs at the steady rate. Behind several processes (or Lambda
containers) each holds its own buckets: the limit protects a process from one noisy user,
it is not a global quota.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

MAX_TRACKED_USERS = 10_000


class RateLimiter:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 1:
            raise ValueError("the rate limit must allow at least one request per minute")
        self.capacity = float(per_minute)
        self.refill_per_s = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # user -> (tokens, updated_at)
        self._lock = threading.Lock()

    def acquire(self, key: str) -> int:
        """Take one request from `key`'s bucket: 0 when allowed, else seconds to wait."""
        now = self._clock()
        with self._lock:
            tokens, updated = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - updated) * self.refill_per_s)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                if len(self._buckets) > MAX_TRACKED_USERS:
                    self._forget_full_buckets(now)
                return 0
            self._buckets[key] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self.refill_per_s))

    def _forget_full_buckets(self, now: float) -> None:
        """A bucket that has refilled completely is the same as no bucket: drop it."""
        refill_time = self.capacity / self.refill_per_s
        for key, (_, updated) in list(self._buckets.items()):
            if now - updated >= refill_time:
                del self._buckets[key]
