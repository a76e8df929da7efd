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

What the client saw is checked too (:func:`client_violations`: each message answered, no
apology for a failed turn, each conversation finished), and the failover
(:func:`failover_violations`: the killed instance's conversations went on elsewhere).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from carpimko.channels.idempotency import message_id

LOST = "perdu"
DUPLICATED = "dupliqué"
UNEXPECTED = "inattendu"
OUT_OF_ORDER = "désordre"
UNANSWERED = "sans réponse"
CLIENT = "client"
FAILOVER = "bascule"
APOLOGY = "je ne peux pas terminer cette démarche pour le moment"


@dataclass(frozen=True)
class Violation:
    """One broken guarantee in one conversation."""

    sender: str
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.sender}: {self.kind} — {self.detail}"


@dataclass
class Turn:
    """One message as the client saw it (times: ``time.monotonic()``)."""

    message_id: str
    text: str
    attempts: int = 0
    status: int | None = None
    answers: list[dict[str, Any]] = field(default_factory=list)
    upstream: str = ""  # the instance(s) nginx tried, last one answered
    sent_at: float = 0.0
    answered_at: float | None = None


@dataclass
class Conversation:
    sender: str
    turns: list[Turn]
    finished: bool = False


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


def client_violations(conversations: Iterable[Conversation]) -> list[Violation]:
    """What the client saw go wrong: unanswered, empty or apologising answers, unfinished."""
    found: list[Violation] = []
    for conversation in conversations:
        sender = conversation.sender
        for turn in conversation.turns:
            if turn.answered_at is None:
                if turn.attempts:
                    detail = f"HTTP {turn.status}, {turn.attempts} essai(s)"
                    found.append(
                        Violation(sender, CLIENT, f"{turn.message_id} sans réponse ({detail})")
                    )
                continue
            if not turn.answers:
                found.append(Violation(sender, CLIENT, f"{turn.message_id} : réponse vide"))
            if any(APOLOGY in (a.get("text") or "") for a in turn.answers):
                found.append(
                    Violation(sender, CLIENT, f"{turn.message_id} : tour en échec (excuse)")
                )
        if not conversation.finished:
            found.append(Violation(sender, CLIENT, "conversation inachevée"))
    return found


def failover_violations(
    conversations: Iterable[Conversation], killed: str, killed_at: float | None
) -> tuple[list[Violation], int]:
    """The killed instance's conversations must go on elsewhere; it may answer nothing after.

    Returns the violations and how many conversations moved (last answer before the kill from
    the killed instance, answers after it)."""
    if killed_at is None:
        return [Violation("-", FAILOVER, "l'instance n'a pas été arrêtée")], 0
    found: list[Violation] = []
    moved = 0
    for conversation in conversations:
        answered = [t for t in conversation.turns if t.answered_at is not None]
        before = [t for t in answered if (t.answered_at or 0) < killed_at]
        after = [t for t in answered if (t.answered_at or 0) > killed_at]
        for turn in after:
            # Sent after the kill and answered by the dead instance: impossible unless the
            # kill failed or nginx routed to a stale address.
            if turn.sent_at > killed_at and _answered_by(turn) == killed:
                detail = f"{turn.message_id} répondu par l'instance tuée"
                found.append(Violation(conversation.sender, FAILOVER, detail))
        if before and _answered_by(before[-1]) == killed and after:
            moved += 1
    if moved == 0:
        found.append(Violation("-", FAILOVER, "aucune conversation de l'instance tuée n'a repris"))
    return found, moved


def _answered_by(turn: Turn) -> str:
    """nginx's $upstream_addr lists every instance tried; the last one answered."""
    return turn.upstream.rsplit(",", 1)[-1].strip()
