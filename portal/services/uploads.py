"""Files the chat widget uploads before the message that uses them (« pièces en attente »).

The assistant never carries a file: the member's browser sends it here with the member's own
session, and the conversation only holds the opaque id. A pending file belongs to its member,
is used by one message only and is forgotten after :data:`UPLOAD_TTL`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from portal.errors import Gone, NotFound
from portal.models import PendingUpload
from portal.security import SessionClaims
from portal.services.accounts import current_member
from portal.services.messaging import Upload
from portal.services.messaging import send_message as send
from portal.timeutil import iso

UPLOAD_TTL = timedelta(hours=1)
"""Long enough to finish the conversation; short enough not to keep files nobody sends."""
_NOT_FOUND = "Ce fichier est introuvable : envoyez-le de nouveau."
_GONE = "Ce fichier a déjà été envoyé ou a expiré : choisissez-le de nouveau."


def upload_row(pending: PendingUpload) -> dict[str, Any]:
    return {
        "upload_id": pending.id,
        "name": pending.name,
        "content_type": pending.content_type,
        "size": pending.size,
        "expires_at": iso(pending.expires_at),
        "used": pending.used_at is not None,
    }


def store(session: Session, claims: SessionClaims, upload: Upload, now: datetime) -> dict[str, Any]:
    """Keep a checked file for the member; expired files are purged on the way."""
    member = current_member(session, claims)
    session.execute(delete(PendingUpload).where(PendingUpload.expires_at < now))
    pending = PendingUpload(
        member_id=member.id,
        name=upload.name,
        content_type=upload.content_type,
        size=len(upload.data),
        data=upload.data,
        created_at=now,
        expires_at=now + UPLOAD_TTL,
    )
    session.add(pending)
    session.flush()
    return upload_row(pending)


def _owned(session: Session, claims: SessionClaims, upload_id: str) -> PendingUpload:
    """The member's own pending file; another member's file is « not found », as if absent."""
    member = current_member(session, claims)
    pending = session.get(PendingUpload, upload_id)
    if pending is None or pending.member_id != member.id:
        raise NotFound(_NOT_FOUND, field="upload_id")
    return pending


def describe(session: Session, claims: SessionClaims, upload_id: str) -> dict[str, Any]:
    return upload_row(_owned(session, claims, upload_id))


def claim(session: Session, claims: SessionClaims, upload_id: str, now: datetime) -> Upload:
    """The file for the message being sent, marked used so that it is sent only once."""
    pending = _owned(session, claims, upload_id)
    if pending.used_at is not None or pending.expires_at <= now:
        raise Gone(_GONE, field="upload_id")
    pending.used_at = now
    return Upload(pending.name, pending.content_type, bytes(pending.data))


def send_message(
    session: Session,
    claims: SessionClaims,
    service: str,
    subject: str,
    body: str,
    upload: Upload | None,
    upload_id: str | None,
    now: datetime,
) -> dict[str, Any]:
    """A message whose file is either attached or a pending upload, in one transaction."""
    if upload_id is not None:
        upload = claim(session, claims, upload_id, now)
    return send(session, claims, service, subject, body, upload, now)
