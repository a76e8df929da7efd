"""``N/secondes`` settings and the sliding windows that enforce them: at most N events per
window, for the rate limits of the project (the portal's settings, the chat channels', the
console's logins)."""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from carpimko.ops.deployment import SettingError


@dataclass(frozen=True)
class RateLimit:
    """At most `count` events per `seconds` for one key."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, name: str, text: str) -> RateLimit:
        """``"20/3600"`` → RateLimit(20, 3600); a French SettingError naming `name` otherwise."""
        try:
            count_text, seconds_text = text.split("/", 1)
            limit = cls(int(count_text), int(seconds_text))
        except ValueError as exc:
            raise SettingError(f"{name} doit être de la forme N/secondes, reçu {text!r}") from exc
        if limit.count < 1 or limit.seconds < 1:
            raise SettingError(f"{name} doit être strictement positif")
        return limit


class SlidingWindows:
    """Recent events per key, for a rate limit that forgets: a key holds at most its rule's
    `count` timestamps, and past `max_keys` keys the least recently used are dropped (like a
    restart would), so memory follows the recent keys, never every key ever seen. In memory,
    one process: a refusal writes nothing."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_keys: int = 50_000):
        self._clock = clock
        self._max_keys = max_keys
        self._events: OrderedDict[str, deque[float]] = OrderedDict()

    def wait(self, key: str, rate: RateLimit) -> int:
        """Whole seconds before `key` may have one more event under `rate` (0: now)."""
        events = self._events.get(key)
        if events is None or len(events) < rate.count:
            return 0
        return max(0, math.ceil(events[-rate.count] + rate.seconds - self._clock()))

    def count(self, key: str, rate: RateLimit) -> None:
        """Remember one event for `key` now."""
        events = self._events.pop(key, None)
        if events is None or events.maxlen != rate.count:
            events = deque(events or (), maxlen=rate.count)  # the oldest drops out by itself
        events.append(self._clock())
        self._events[key] = events  # most recently used last
        while len(self._events) > self._max_keys:
            self._events.popitem(last=False)

    def forget(self, key: str) -> None:
        self._events.pop(key, None)

    def __len__(self) -> int:
        return len(self._events)
