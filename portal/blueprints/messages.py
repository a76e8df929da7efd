"""Secure messaging: history of exchanges, messages with attachments, sick-leave extensions."""

from __future__ import annotations

from typing import Any, TypeVar

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from portal import validation
from portal.contract import routes
from portal.contract.base import Request as RequestModel
from portal.contract.base import read
from portal.contract.routes import Route
from portal.errors import BadRequest, ValidationFailed
from portal.http import db, now, reply, resources, session_claims
from portal.services import messaging, uploads

bp = Blueprint("messages", url_prefix="/api/v1/me")
SICK_LEAVE_SUBJECT = "Prolongation d'arrêt de travail"
F = TypeVar("F", bound=RequestModel)


def _file(request: Request) -> messaging.Upload | None:
    """The one `file` of a multipart form, checked by content and size."""
    files = request.files.getlist("file") if request.files else None
    if files and len(files) > 1:
        raise ValidationFailed("Un seul fichier peut être joint à la fois.", field="file")
    if not files:
        return None
    max_bytes = resources(request).settings.upload_max_bytes
    return messaging.check_upload(files[0].name, files[0].body, max_bytes)


def _not_both(upload_id: str | None, upload: messaging.Upload | None) -> str | None:
    """The id of a file uploaded beforehand (POST /api/v1/me/uploads), if given instead."""
    if upload_id is not None and upload is not None:
        raise ValidationFailed(
            "Joignez un fichier ou indiquez un fichier déjà envoyé, pas les deux.",
            field="upload_id",
        )
    return upload_id


def _form(request: Request, route: Route[F, Any]) -> tuple[F, messaging.Upload | None]:
    """Fields (through the route's body model) and the optional `file` of a multipart form,
    or a JSON body without file."""
    model = route.body
    assert model is not None, f"{route.path} takes no body"
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        return read(model, validation.json_object(request.body)), None
    if not content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        raise BadRequest(
            "Envoyez un formulaire multipart/form-data (ou un JSON sans pièce jointe).",
            code="format_requete_invalide",
        )
    if content_type.startswith("multipart/form-data") and "boundary=" not in content_type:
        raise BadRequest(
            "Formulaire multipart mal formé (boundary absente).", code="format_requete_invalide"
        )
    fields: dict[str, Any] = {key: request.form.get(key) for key in request.form}
    upload = _file(request)  # the file is judged first, as the member chose it first
    return read(model, fields), upload


@bp.get("/messages")
async def history(request: Request) -> HTTPResponse:
    claims = session_claims(request)
    items = await db(request, messaging.list_messages, claims, write=False)
    return reply({"messages": items, "count": len(items)})


@bp.post("/messages")
async def send(request: Request) -> HTTPResponse:
    claims = session_claims(request)
    message, upload = _form(request, routes.MESSAGE)
    upload_id = _not_both(message.upload_id, upload)
    result = await db(
        request,
        uploads.send_message,
        claims,
        message.service,
        message.subject,
        message.body,
        upload,
        upload_id,
        now(request),
    )
    return reply(result, 201)


@bp.post("/sick-leave-extensions")
async def sick_leave_extension(request: Request) -> HTTPResponse:
    """The document goes straight to the Invalidité-Décès service, as the fund's guide says."""
    claims = session_claims(request)
    extension, upload = _form(request, routes.SICK_LEAVE)
    upload_id = _not_both(extension.upload_id, upload)
    if upload is None and upload_id is None:
        raise ValidationFailed(
            "Joignez votre prolongation d'arrêt de travail (PDF, JPG, JPEG ou PNG).",
            field="file",
        )
    body = extension.comment or "Veuillez trouver ci-joint la prolongation de mon arrêt de travail."
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
