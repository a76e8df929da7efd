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

import os
import time
from collections.abc import Callable, Mapping

from carpimko.ops.rates import RateLimit as Rate
from carpimko.ops.rates import SlidingWindows

SENDER_DEFAULT = Rate(30, 60)
CLIENT_DEFAULT = Rate(120, 60)


class TurnLimiter:
    """Sliding windows per sender and per client; :meth:`hit` counts or refuses."""

    def __init__(
        self,
        per_sender: Rate = SENDER_DEFAULT,
        per_client: Rate = CLIENT_DEFAULT,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 50_000,
    ) -> None:
        self.per_sender = per_sender
        self.per_client = per_client
        self._windows = SlidingWindows(clock, max_keys)

    def hit(self, sender: str, client: str | None) -> int:
        """0 and the message counted, or the whole seconds to wait (nothing counted)."""
        keys = [(f"sender:{sender}", self.per_sender)]
        if client:
            keys.append((f"client:{client}", self.per_client))
        wait = max(self._windows.wait(key, rate) for key, rate in keys)
        if wait:
            return wait
        for key, rate in keys:
            self._windows.count(key, rate)
        return 0

    def __len__(self) -> int:
        return len(self._windows)


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
