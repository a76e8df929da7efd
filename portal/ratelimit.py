"""In-memory sliding-window rate limiter (the portal runs as a single worker).

Counters live outside the database on purpose: refusing a request must not
write anything, and a restart forgiving a few attempts is acceptable.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from portal.config import RateLimit
from portal.errors import TooManyRequests


class RateLimiter:
    """Counts events per key within a window and refuses the excess."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000):
        self._clock = clock
        self._events: dict[str, deque[float]] = {}
        self._max_keys = max_keys

    def check(self, key: str, limit: RateLimit, message: str) -> None:
        """Raise TooManyRequests if `key` already used its quota; `{minutes}` in the message is
        replaced by the wait. Does not count."""
        retry_after = self._retry_after(key, limit)
        if retry_after:
            minutes = str(max(1, math.ceil(retry_after / 60)))
            raise TooManyRequests(message.replace("{minutes}", minutes), retry_after)

    def hit(self, key: str, limit: RateLimit, message: str) -> None:
        """Count one event for `key`, refusing it when the quota is spent."""
        self.check(key, limit, message)
        if len(self._events) >= self._max_keys:
            self._prune(limit)
        self._events.setdefault(key, deque()).append(self._clock())

    def reset(self, key: str) -> None:
        self._events.pop(key, None)

    def _retry_after(self, key: str, limit: RateLimit) -> int:
        events = self._events.get(key)
        if not events:
            return 0
        now = self._clock()
        while events and events[0] <= now - limit.seconds:
            events.popleft()
        if len(events) < limit.count:
            return 0
        return max(1, math.ceil(events[0] + limit.seconds - now))

    def _prune(self, limit: RateLimit) -> None:
        horizon = self._clock() - limit.seconds
        for key in [k for k, v in self._events.items() if not v or v[-1] <= horizon]:
            del self._events[key]
