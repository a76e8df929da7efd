"""The load client's one rule for sending (`make scale-test`): retry what a proxy would retry.

A request is sent again, unchanged, after a connection error or a 502/503/504 (nginx could not
reach an instance, or gave up on it), until the deadline; any other answer is final. Both the
REST conversations and the phone calls rely on the server to recognise a request it already
processed (message id, call turn number).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx

from benchmarks.scale.check import Turn

RETRY_STATUSES = frozenset({502, 503, 504})
UPSTREAM_HEADER = "x-carpimko-upstream"
"""nginx's ``$upstream_addr`` (``--expose-upstream``): the instances tried, the last answered."""


async def send_until_final(
    send: Callable[[], Awaitable[httpx.Response]], turn: Turn, deadline: float
) -> httpx.Response | None:
    """``send()`` until a final answer or ``deadline`` (monotonic); counts attempts on ``turn``.

    Returns the final response (any status but 502/503/504), or None when the deadline passed.
    A 200 sets ``turn.upstream`` and ``turn.answered_at``."""
    turn.sent_at = time.monotonic()
    while time.monotonic() < deadline:
        turn.attempts += 1
        try:
            response = await send()
        except httpx.HTTPError:
            await asyncio.sleep(0.5)
            continue
        turn.status = response.status_code
        if response.status_code in RETRY_STATUSES:
            await asyncio.sleep(0.5)
            continue
        if response.status_code == 200:
            turn.upstream = response.headers.get(UPSTREAM_HEADER, "")
            turn.answered_at = time.monotonic()
        return response
    return None
