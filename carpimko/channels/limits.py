"""How many messages one conversation and one client may send: the channels' own rate limit.

Each message costs an NLU pass, often a portal call, and a row in the tracker store; nothing
used to bound them. :class:`TurnLimiter` counts, over a sliding window, the messages of each
sender id and of each client (the transport's address, :mod:`carpimko.channels.client`) and
refuses the excess with the seconds to wait. :func:`carpimko.channels.guard.guard_turns` calls
it on every REST and socket.io turn; the phone channel calls :func:`shared_limiter` too.

Counters live in memory (one Rasa process): a refused message writes nothing, a restart
forgives. Keys are bounded: past ``max_keys`` the least recently used are forgotten.

| variable | default | meaning |
| --- | --- | --- |
| ``CARPIMKO_RATE_SENDER`` | ``30/60`` | messages per conversation per N seconds |
| ``CARPIMKO_RATE_CLIENT`` | ``120/60`` | messages per client address per N seconds |
"""

from __future__ import annotations

import math
import os
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping

from carpimko.rates import RateLimit as Rate

SENDER_DEFAULT = Rate(30, 60)
CLIENT_DEFAULT = Rate(120, 60)


class TurnLimiter:
    """Sliding-window counters per sender and per client; :meth:`hit` counts or refuses."""

    def __init__(
        self,
        per_sender: Rate = SENDER_DEFAULT,
        per_client: Rate = CLIENT_DEFAULT,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 50_000,
    ) -> None:
        self.per_sender = per_sender
        self.per_client = per_client
        self._clock = clock
        self._max_keys = max_keys
        self._events: OrderedDict[str, deque[float]] = OrderedDict()

    def hit(self, sender: str, client: str | None) -> int:
        """0 and the message counted, or the whole seconds to wait (nothing counted)."""
        now = self._clock()
        keys = [(f"sender:{sender}", self.per_sender)]
        if client:
            keys.append((f"client:{client}", self.per_client))
        wait = max(self._wait(key, rate, now) for key, rate in keys)
        if wait:
            return wait
        for key, rate in keys:
            self._count(key, rate, now)
        return 0

    def __len__(self) -> int:
        return len(self._events)

    def _wait(self, key: str, rate: Rate, now: float) -> int:
        events = self._events.get(key)
        if events is None or len(events) < rate.count:
            return 0
        return max(0, math.ceil(events[0] + rate.seconds - now))

    def _count(self, key: str, rate: Rate, now: float) -> None:
        events = self._events.pop(key, None)
        if events is None:
            events = deque(maxlen=rate.count)  # the oldest event drops out by itself
        events.append(now)
        self._events[key] = events  # most recently used last
        while len(self._events) > self._max_keys:
            self._events.popitem(last=False)


def limiter_from_env(env: Mapping[str, str] | None = None) -> TurnLimiter:
    """A limiter with ``CARPIMKO_RATE_SENDER`` / ``CARPIMKO_RATE_CLIENT`` (or the defaults)."""
    env = os.environ if env is None else env

    def rate(name: str, default: Rate) -> Rate:
        text = env.get(name, "").strip()
        return Rate.parse(name, text) if text else default

    return TurnLimiter(
        rate("CARPIMKO_RATE_SENDER", SENDER_DEFAULT), rate("CARPIMKO_RATE_CLIENT", CLIENT_DEFAULT)
    )


_SHARED: list[TurnLimiter] = []


def shared_limiter() -> TurnLimiter:
    """The process's one limiter, shared by every channel (built at first use)."""
    if not _SHARED:
        _SHARED.append(limiter_from_env())
    return _SHARED[0]
