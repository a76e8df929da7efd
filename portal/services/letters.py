"""Letters held over the hourly cap, for a person to release or cancel (support console).

The console sees what it needs to judge a request — when, which procedure, which dossier —
never the letter's text: a temporary password or a confirmation code is in it. Releasing
puts the letter in the print queue from that moment (its delivery reckoned from then);
cancelling drops its text, so that the code it carried is kept nowhere.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from carpimko.ops import metrics
from portal.errors import Conflict, NotFound
from portal.models import Member, OutboxMessage
from portal.services.delivery import expected_letter_delivery
from portal.services.outbox import (
    CANCELLED,
    LETTER,
    QUEUE_LABELS,
    TO_PRINT,
    TO_REVIEW,
    outbox_row,
)

CANCELLED_BODY = "Courrier annulé depuis la console support : son contenu a été effacé."


def held_row(message: OutboxMessage, dossier_number: str | None) -> dict[str, Any]:
    """The outbox row less what staff must not read: the text and the postal address."""
    row = outbox_row(message, dossier_number)
    shown = ("dossier_number", "subject", "status", "created_at", "expected_delivery_date")
    return {"letter_id": row["id"], **{key: row[key] for key in shown}}


def list_held(session: Session, limit: int) -> list[dict[str, Any]]:
    """Letters waiting for a person, oldest first (the queue order)."""
    rows = session.execute(
        select(OutboxMessage, Member.dossier_number)
        .outerjoin(Member, Member.id == OutboxMessage.member_id)
        .where(OutboxMessage.kind == LETTER, OutboxMessage.status == TO_REVIEW)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return [held_row(message, number) for message, number in rows]


def _decide(session: Session, letter_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """Move a held letter out of review, once: a second decision is a conflict."""
    message = session.get(OutboxMessage, letter_id)
    if message is None or message.kind != LETTER:
        raise NotFound("Courrier introuvable.")
    moved = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == letter_id, OutboxMessage.status == TO_REVIEW)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise Conflict("Ce courrier a déjà été traité.", code="deja_traite")
    session.refresh(message)
    member = session.get(Member, message.member_id) if message.member_id else None
    return held_row(message, member.dossier_number if member else None)


def release(session: Session, letter_id: int, now: datetime) -> dict[str, Any]:
    """Send a held letter to print now; its delivery is reckoned from this moment."""
    row = _decide(
        session,
        letter_id,
        {"status": TO_PRINT, "expected_delivery_date": expected_letter_delivery(now)},
    )
    metrics.LETTERS_QUEUED.labels(QUEUE_LABELS[TO_PRINT]).inc()
    return row


def cancel(session: Session, letter_id: int) -> dict[str, Any]:
    """Never send a held letter; its text (a password or a code) is erased."""
    return _decide(session, letter_id, {"status": CANCELLED, "body": CANCELLED_BODY})
