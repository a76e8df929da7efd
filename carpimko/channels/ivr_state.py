"""What the phone channel remembers between two turns of a call, kept outside the process.

Twilio posts each turn of a call as a separate HTTP request, and with several Rasa instances
behind nginx (docs/scaling.md) two turns of one call rarely reach the same process. So the
per-call memory (keypad mapping, expected number, last question, misses, transfer in progress,
turn number and last answer) is a small JSON document in a shared store:

- :class:`RedisCallStore` when Rasa's lock store is Redis (``deploy/endpoints.yml``): the same
  Redis, the same key prefix, no other setting. Any instance takes any turn; an instance
  killed mid-call loses nothing;
- :class:`MemoryCallStore` otherwise (one Rasa process, ``make run``): Rasa itself refuses
  several workers without a shared lock store, so memory is then enough.

Entries expire an hour after the last turn (a call that is never hung up properly).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

CALL_TTL_SECONDS = 3600
"""A call's memory is forgotten this long after its last turn."""


@dataclass
class Expectation:
    """A number is expected (dossier, postal code, phone): the Gather ends on « # »."""

    entity: str | None = None
    keys: dict[str, str] = field(default_factory=dict)


@dataclass
class CallState:
    """Everything the next turn of a call needs; JSON round-trip with :meth:`dumps`/:meth:`loads`.

    ``turn`` numbers the answers: the next request of the call carries it in its URL
    (``?turn=N``), so a request sent twice (nginx passing it to another instance after a
    failure) is recognised and answered with ``answer``, the document already produced.
    ``dialing``: a transfer is in progress, only its end is expected; ``ended``: the last
    answer hung up (kept for a resend; a new request of that id starts a new call).
    """

    keys: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    expect: Expectation | None = None
    last_prompt: list[str] = field(default_factory=list)
    misses: int = 0
    dialing: bool = False
    ended: bool = False
    turn: int = 0
    answer: str = ""

    def dumps(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def loads(cls, raw: str | bytes) -> CallState:
        data: dict[str, Any] = json.loads(raw)
        expect = data.pop("expect", None)
        state = cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
        state.expect = Expectation(**expect) if isinstance(expect, dict) else None
        return state


class CallStore(Protocol):
    """Where call states live between turns (any instance reads what another wrote)."""

    def load(self, call_id: str) -> CallState | None: ...

    def save(self, call_id: str, state: CallState) -> None: ...

    def end(self, call_id: str) -> None: ...


class MemoryCallStore:
    """One process's calls (single Rasa instance), bounded and expiring like the Redis store."""

    def __init__(self, ttl: float = CALL_TTL_SECONDS, max_calls: int = 10_000) -> None:
        self.ttl = ttl
        self.max_calls = max_calls
        self._calls: dict[str, tuple[float, str]] = {}

    def load(self, call_id: str) -> CallState | None:
        entry = self._calls.get(call_id)
        if entry is None or entry[0] < time.monotonic():
            self._calls.pop(call_id, None)
            return None
        return CallState.loads(entry[1])

    def save(self, call_id: str, state: CallState) -> None:
        self._calls.pop(call_id, None)
        self._calls[call_id] = (time.monotonic() + self.ttl, state.dumps())
        while len(self._calls) > self.max_calls:  # dicts keep insertion order: oldest first
            del self._calls[next(iter(self._calls))]

    def end(self, call_id: str) -> None:
        self._calls.pop(call_id, None)


class RedisCallStore:
    """Calls in Redis (``<prefix>ivr:call:<CallSid>``), with Rasa's lock-store client.

    The client is synchronous, like Rasa's own lock store that every turn already uses; one
    GET and one SET of a few hundred bytes per turn on the local network.
    """

    def __init__(self, client: Any, prefix: str = "", ttl: int = CALL_TTL_SECONDS) -> None:
        self.client = client
        self.prefix = f"{prefix}ivr:call:"
        self.ttl = ttl

    def load(self, call_id: str) -> CallState | None:
        raw = self.client.get(self.prefix + call_id)
        return CallState.loads(raw) if raw else None

    def save(self, call_id: str, state: CallState) -> None:
        self.client.set(self.prefix + call_id, state.dumps(), ex=self.ttl)

    def end(self, call_id: str) -> None:
        self.client.delete(self.prefix + call_id)


def store_for(lock_store: Any) -> CallStore:
    """The shared store that matches Rasa's lock store: Redis when it is Redis, else memory."""
    client = getattr(lock_store, "red", None)
    if client is not None and hasattr(client, "set"):
        # Rasa's lock keys are "<key_prefix>:lock:<id>"; calls go beside them, not among them.
        prefix = str(getattr(lock_store, "key_prefix", "") or "").removesuffix("lock:")
        return RedisCallStore(client, prefix)
    return MemoryCallStore()
