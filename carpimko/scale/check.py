"""Did every conversation get each message once, in order, and answered? (`make scale-test`)

The load client numbers the messages of each conversation and sends the number as the message
id (metadata ``message_id``, e.g. ``c17-m04``). Afterwards the conversations are read back from
the tracker store (the ``events`` table: one JSON event per row, in insertion order) and each is
checked against the ids the client sent:

- ``perdu`` (lost): an id sent but not stored;
- ``dupliqué`` (duplicated): an id stored more than once;
- ``inattendu`` (unexpected): a stored user message the client never sent;
- ``désordre`` (out of order): the stored ids are not in the order they were sent;
- ``sans réponse`` (unanswered): a user message not followed by a bot message before the next.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from carpimko.channels.idempotency import message_id

LOST = "perdu"
DUPLICATED = "dupliqué"
UNEXPECTED = "inattendu"
OUT_OF_ORDER = "désordre"
UNANSWERED = "sans réponse"


@dataclass(frozen=True)
class Violation:
    """One broken guarantee in one conversation."""

    sender: str
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.sender}: {self.kind} — {self.detail}"


def check_conversation(
    sender: str, sent: Sequence[str], events: Iterable[Mapping[str, Any]]
) -> list[Violation]:
    """Violations of one conversation: ``sent`` ids in sending order, ``events`` as stored."""
    stored: list[str | None] = []
    answered: list[bool] = []
    for event in events:
        kind = event.get("event")
        if kind == "user":
            stored.append(message_id(event.get("metadata")))
            answered.append(False)
        elif kind == "bot" and answered:
            answered[-1] = True
    found: list[Violation] = []
    counts = Counter(stored)
    expected = set(sent)
    for wanted in sent:
        if counts[wanted] == 0:
            found.append(Violation(sender, LOST, f"message {wanted} absent du tracker"))
        elif counts[wanted] > 1:
            detail = f"message {wanted} stocké {counts[wanted]} fois"
            found.append(Violation(sender, DUPLICATED, detail))
    for got in stored:
        if got not in expected:
            found.append(Violation(sender, UNEXPECTED, f"message {got!r} jamais envoyé"))
    first_seen = list(dict.fromkeys(i for i in stored if i in expected))
    in_sent_order = [i for i in sent if i in counts]
    if first_seen != in_sent_order:
        found.append(
            Violation(sender, OUT_OF_ORDER, f"ordre stocké {first_seen}, envoyé {in_sent_order}")
        )
    for got, ok in zip(stored, answered, strict=True):
        if not ok:
            found.append(Violation(sender, UNANSWERED, f"message {got} sans message du bot après"))
    return found


def events_from_rows(rows: Iterable[tuple[str, str]]) -> dict[str, list[dict[str, Any]]]:
    """``(sender_id, data)`` rows of the SQL tracker store's ``events`` table, by conversation.

    The rows must come in insertion order (``ORDER BY id``), which is the conversation order."""
    conversations: dict[str, list[dict[str, Any]]] = {}
    for sender, data in rows:
        conversations.setdefault(sender, []).append(json.loads(data))
    return conversations


def check_all(
    sent: Mapping[str, Sequence[str]], stored: Mapping[str, Sequence[Mapping[str, Any]]]
) -> list[Violation]:
    """Violations over every conversation the client held (one missing entirely: all lost)."""
    found: list[Violation] = []
    for sender, ids in sent.items():
        found.extend(check_conversation(sender, ids, stored.get(sender, [])))
    return found
