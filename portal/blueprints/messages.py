"""Secure messaging: history of exchanges, messages with attachments, sick-leave extensions."""

from __future__ import annotations

import re
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from portal import validation
from portal.errors import BadRequest, ValidationFailed
from portal.http import db, now, reply, resources, session_claims
from portal.services import messaging, uploads
from portal.services.procedures import SERVICE_LABELS

bp = Blueprint("messages", url_prefix="/api/v1/me")
SICK_LEAVE_SUBJECT = "Prolongation d'arrêt de travail"
UPLOAD_ID = r"^[0-9a-f]{32}$"


def _file(request: Request) -> messaging.Upload | None:
    """The one `file` of a multipart form, checked by content and size."""
    files = request.files.getlist("file") if request.files else None
    if files and len(files) > 1:
        raise ValidationFailed("Un seul fichier peut être joint à la fois.", field="file")
    if not files:
        return None
    max_bytes = resources(request).settings.upload_max_bytes
    return messaging.check_upload(files[0].name, files[0].body, max_bytes)


def _upload_id(fields: dict[str, Any], upload: messaging.Upload | None) -> str | None:
    """The id of a file uploaded beforehand (POST /api/v1/me/uploads), if given instead."""
    value = fields.get("upload_id")
    if value is None:
        return None
    if upload is not None:
        raise ValidationFailed(
            "Joignez un fichier ou indiquez un fichier déjà envoyé, pas les deux.",
            field="upload_id",
        )
    if not isinstance(value, str) or not re.match(UPLOAD_ID, value):
        raise ValidationFailed("Identifiant de fichier invalide.", field="upload_id")
    return value


def _form(request: Request) -> tuple[dict[str, Any], messaging.Upload | None]:
    """Fields and the optional `file` of a multipart form (or a JSON body without file)."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        return validation.json_object(request.body), None
    if not content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        raise BadRequest(
            "Envoyez un formulaire multipart/form-data (ou un JSON sans pièce jointe).",
            code="format_requete_invalide",
        )
    if content_type.startswith("multipart/form-data") and "boundary=" not in content_type:
        raise BadRequest(
            "Formulaire multipart mal formé (boundary absente).", code="format_requete_invalide"
        )
    fields = {key: request.form.get(key) for key in request.form}
    return fields, _file(request)


@bp.get("/messages")
async def history(request: Request) -> HTTPResponse:
    claims = session_claims(request)
    items = await db(request, messaging.list_messages, claims, write=False)
    return reply({"messages": items, "count": len(items)})


@bp.post("/messages")
async def send(request: Request) -> HTTPResponse:
    claims = session_claims(request)
    fields, upload = _form(request)
    service = validation.choice(fields, "service", "service destinataire", tuple(SERVICE_LABELS))
    subject = validation.required_text(fields, "subject", "objet", max_length=200)
    body = validation.required_text(fields, "body", "message", max_length=5000, multiline=True)
    upload_id = _upload_id(fields, upload)
    result = await db(
        request,
        uploads.send_message,
        claims,
        service,
        subject,
        body,
        upload,
        upload_id,
        now(request),
    )
    return reply(result, 201)


@bp.post("/sick-leave-extensions")
async def sick_leave_extension(request: Request) -> HTTPResponse:
    """The document goes straight to the Invalidité-Décès service, as the fund's guide says."""
    claims = session_claims(request)
    fields, upload = _form(request)
    upload_id = _upload_id(fields, upload)
    if upload is None and upload_id is None:
        raise ValidationFailed(
            "Joignez votre prolongation d'arrêt de travail (PDF, JPG, JPEG ou PNG).",
            field="file",
        )
    comment = validation.text(
        fields, "comment", "commentaire", required=False, max_length=2000, multiline=True
    )
    body = comment or "Veuillez trouver ci-joint la prolongation de mon arrêt de travail."
    result = await db(
        request,
        uploads.send_message,
        claims,
        "invalidite_deces",
        SICK_LEAVE_SUBJECT,
        body,
        upload,
        upload_id,
        now(request),
    )
    return reply(result, 201)


@bp.post("/uploads")
async def upload_file(request: Request) -> HTTPResponse:
    """A file sent ahead of its message (chat widget); the answer's id is what the assistant
    is given, never the file."""
    claims = session_claims(request)
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data") or "boundary=" not in content_type:
        raise BadRequest(
            "Envoyez le fichier dans un formulaire multipart/form-data (champ « file »).",
            code="format_requete_invalide",
        )
    upload = _file(request)
    if upload is None:
        raise ValidationFailed("Choisissez un fichier PDF, JPG, JPEG ou PNG.", field="file")
    result = await db(request, uploads.store, claims, upload, now(request))
    return reply(result, 201)


@bp.get("/uploads/<upload_id>")
async def upload_details(request: Request, upload_id: str) -> HTTPResponse:
    """Name, type and size of the member's own pending file (another member's: 404)."""
    claims = session_claims(request)
    validation.identifier(upload_id)
    result = await db(request, uploads.describe, claims, upload_id, write=False)
    return reply(result)
