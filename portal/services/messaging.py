"""Secure messaging: messages to the fund's services, with an optional attachment.

Attachments are accepted on their content (magic bytes), never on their name:
PDF, JPEG and PNG only, up to the configured size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import filetype
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from portal.models import Message
from portal.security import SessionClaims
from portal.services.accounts import current_member
from portal.services.procedures import SERVICE_LABELS, reference
from portal.timeutil import iso

ACCEPTED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
_EXTENSIONS = {"pdf": ("pdf",), "jpg": ("jpg", "jpeg"), "png": ("png",)}
_UNSAFE = re.compile(r"[^A-Za-z0-9À-ÿ._ -]+")


@dataclass(frozen=True)
class Upload:
    name: str
    content_type: str
    data: bytes


def check_upload(name: str | None, data: bytes, max_bytes: int) -> Upload:
    """Accept a PDF, JPEG or PNG by its content; the stored name gets a matching extension."""
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            f"Le fichier dépasse la taille maximale autorisée ({max_bytes / (1024 * 1024):g} Mo).",
            field="file",
        )
    if not data:
        raise ValidationFailed("Le fichier envoyé est vide.", field="file")
    kind = filetype.guess(data)
    mime = kind.mime if kind else None
    if mime not in ACCEPTED:
        raise UnsupportedMediaType(
            "Format de fichier non accepté : seuls les fichiers PDF, JPG, JPEG et PNG sont "
            "acceptés.",
            field="file",
        )
    extension = ACCEPTED[mime]
    base = _UNSAFE.sub("_", (name or "").replace("\\", "/").rsplit("/", 1)[-1]).strip(" ._")
    base = base[:100] or "document"
    if base.rsplit(".", 1)[-1].lower() not in _EXTENSIONS[extension] or "." not in base:
        base = f"{base}.{extension}"
    return Upload(base, mime, data)


def message_row(message: Message) -> dict[str, Any]:
    attachment = None
    if message.attachment_name:
        attachment = {
            "name": message.attachment_name,
            "content_type": message.attachment_type,
            "size": message.attachment_size,
        }
    return {
        "id": message.id,
        "reference": message.reference,
        "direction": message.direction,
        "service": message.service,
        "service_label": SERVICE_LABELS.get(message.service, message.service),
        "subject": message.subject,
        "body": message.body,
        "status": message.status,
        "attachment": attachment,
        "created_at": iso(message.created_at),
    }


def send_message(
    session: Session,
    claims: SessionClaims,
    service: str,
    subject: str,
    body: str,
    upload: Upload | None,
    now: datetime,
) -> dict[str, Any]:
    """Store the message for the chosen service; it keeps its date in the history."""
    member = current_member(session, claims)
    message = Message(
        member_id=member.id,
        reference=reference("MSG", now),
        direction="entrant",
        service=service,
        subject=subject,
        body=body,
        status="transmis",
        attachment_name=upload.name if upload else None,
        attachment_type=upload.content_type if upload else None,
        attachment_size=len(upload.data) if upload else None,
        attachment=upload.data if upload else None,
        created_at=now,
    )
    session.add(message)
    session.flush()
    return message_row(message)


def list_messages(session: Session, claims: SessionClaims) -> list[dict[str, Any]]:
    member = current_member(session, claims)
    messages = session.execute(
        select(Message)
        .where(Message.member_id == member.id)
        .order_by(Message.created_at.desc(), Message.reference.desc())
    ).scalars()
    return [message_row(m) for m in messages]
