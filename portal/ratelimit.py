"""In-memory sliding-window rate limiter (the portal runs as a single worker).

Counters live outside the database on purpose: refusing a request must not
write anything, and a restart forgiving a few attempts is acceptable.

Each key keeps the timestamps of its events within its own rule's window. Keys whose events
have all expired are swept once a minute, so memory follows the keys of the last window, not
every key ever seen: a conversation without a client address is its own client key
(actions/common.py), so every conversation used to leave a key behind until 100 000 of them
(the portal's slow growth in the soak, docs/benchmarks.md, session 6). Past ``max_keys``
live keys the least recently used are forgotten, like a restart would.
"""

from __future__ import annotations

import bisect
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from portal.config import RateLimit
from portal.errors import TooManyRequests


@dataclass
class _Window:
    """The events of one key (oldest first), and how long its rule remembers them.

    A list, not a deque: a key holds at most its quota (5 to 30 events), and an empty deque
    alone takes 600 bytes, once per conversation's key."""

    seconds: int
    events: list[float] = field(default_factory=list)

    def expire(self, now: float) -> None:
        del self.events[: bisect.bisect_right(self.events, now - self.seconds)]


class RateLimiter:
    """Counts events per key within a window and refuses the excess."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 50_000,
        sweep_seconds: float = 60.0,
    ):
        self._clock = clock
        self._windows: dict[str, _Window] = {}
        self._max_keys = max_keys
        self._sweep_seconds = sweep_seconds
        self._next_sweep = clock() + sweep_seconds

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
        now = self._clock()
        if now >= self._next_sweep or len(self._windows) >= self._max_keys:
            self._sweep(now)
        window = self._windows.pop(key, None) or _Window(limit.seconds)
        window.seconds = max(window.seconds, limit.seconds)
        window.events.append(now)
        self._windows[key] = window  # last used last: the sweep forgets from the front

    def reset(self, key: str) -> None:
        self._windows.pop(key, None)

    def __len__(self) -> int:
        """Keys remembered (expired ones until the next sweep)."""
        return len(self._windows)

    def _retry_after(self, key: str, limit: RateLimit) -> int:
        window = self._windows.get(key)
        if window is None:
            return 0
        now = self._clock()
        window.expire(now)
        events = window.events
        if limit.seconds < window.seconds:  # a key also counted under a longer rule
            events = events[bisect.bisect_right(events, now - limit.seconds) :]
        if len(events) < limit.count:
            return 0
        return max(1, math.ceil(events[-limit.count] + limit.seconds - now))

    def _sweep(self, now: float) -> None:
        for key in list(self._windows):
            window = self._windows[key]
            window.expire(now)
            if not window.events:
                del self._windows[key]
        excess = len(self._windows) - self._max_keys + 1
        for key in list(self._windows)[: max(0, excess)]:
            del self._windows[key]
        self._next_sweep = now + self._sweep_seconds
