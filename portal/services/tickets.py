"""Handoffs to an advisor and callback requests, each tied to a conversation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from carpimko.ops import metrics
from portal.errors import Conflict, NotFound
from portal.models import Ticket
from portal.services.procedures import reference
from portal.timeutil import iso

PREFIX = {"handoff": "CONS", "callback": "RAP"}


def ticket_row(ticket: Ticket) -> dict[str, Any]:
    return {
        "ticket_id": ticket.id,
        "reference": ticket.reference,
        "kind": ticket.kind,
        "conversation_id": ticket.conversation_id,
        "channel": ticket.channel,
        "summary": ticket.summary,
        "dossier_number": ticket.dossier_number,
        "phone": ticket.phone,
        "preferred_slot": iso(ticket.preferred_slot) if ticket.preferred_slot else None,
        "status": ticket.status,
        "created_at": iso(ticket.created_at),
        "closed_at": iso(ticket.closed_at) if ticket.closed_at else None,
    }


def open_ticket(
    session: Session, kind: str, fields: dict[str, Any], now: datetime
) -> dict[str, Any]:
    ticket = Ticket(
        kind=kind, reference=reference(PREFIX[kind], now), status="open", created_at=now, **fields
    )
    session.add(ticket)
    session.flush()
    metrics.HANDOFFS.labels(kind).inc()
    return ticket_row(ticket)


def list_tickets(
    session: Session, kind: str, status: str | None, limit: int
) -> list[dict[str, Any]]:
    query = select(Ticket).where(Ticket.kind == kind).order_by(Ticket.id.desc()).limit(limit)
    if status:
        query = query.where(Ticket.status == status)
    return [ticket_row(t) for t in session.execute(query).scalars()]


def close_ticket(session: Session, kind: str, ticket_id: int, now: datetime) -> dict[str, Any]:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.kind != kind:
        raise NotFound("Ticket introuvable.")
    closed = session.execute(
        update(Ticket)
        .where(Ticket.id == ticket_id, Ticket.status == "open")
        .values(status="closed", closed_at=now)
        .execution_options(synchronize_session=False)
    )
    if closed.rowcount != 1:
        raise Conflict("Ce ticket est déjà fermé.", code="deja_ferme")
    session.refresh(ticket)
    return ticket_row(ticket)
