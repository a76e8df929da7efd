"""Secure messaging: messages with an attachment, sick-leave extensions, uploaded files."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from portal.contract import fields
from portal.contract.base import Answer, Request, checked
from portal.errors import ValidationFailed

Service = Literal[
    "invalidite_deces",
    "cotisations",
    "retraite",
    "action_sociale",
    "prestations",
    "relations_affilies",
]
FILE_SCHEMA = {"type": "string", "format": "binary", "description": "PDF, JPG, JPEG ou PNG"}
UPLOAD_ID_SCHEMA = {
    "type": "string",
    "pattern": fields.HEX_ID_PATTERN,
    "description": "Fichier envoyé avant (POST /api/v1/me/uploads)",
}


def _upload_id(value: Any, name: str) -> str:
    if not isinstance(value, str) or not fields.re_hex_id.match(value):
        raise ValidationFailed("Identifiant de fichier invalide.", field=name)
    return value


def upload_id(default: Any = None) -> Any:
    return checked(_upload_id, "fichier déjà envoyé", default, json_schema=UPLOAD_ID_SCHEMA)


class MessageRequest(Request):
    """A JSON body, or the fields of a multipart form (then with its `file`)."""

    service: Service = fields.choice("service destinataire", Service)
    subject: str = fields.text("objet", 200)
    body: str = fields.text("message", 5000, multiline=True)
    upload_id: str | None = upload_id()


class SickLeaveRequest(Request):
    upload_id: str | None = upload_id()
    comment: str | None = fields.text("commentaire", 2000, multiline=True, required=False)


class UploadForm(Request):
    """Only the multipart `file` part (PDF, JPG, JPEG or PNG)."""


class Attachment(Answer):
    name: str
    content_type: str
    size: int


class Message(Answer):
    id: str
    reference: str
    direction: Literal["entrant", "sortant"]
    service: str
    service_label: str
    subject: str
    body: str
    status: str
    attachment: Attachment | None = Field(...)
    created_at: datetime


class Messages(Answer):
    messages: list[Message]
    count: int = Field(..., ge=0)


class Upload(Answer):
    upload_id: str = Field(..., regex=fields.HEX_ID_PATTERN)
    name: str
    content_type: Literal["application/pdf", "image/jpeg", "image/png"]
    size: int = Field(..., ge=1)
    expires_at: datetime
    used: bool
