"""Attestations on request, documents by year, and short-lived download links."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, raw

from portal import validation
from portal.errors import ValidationFailed
from portal.http import db, now, query, reply, resources, session_claims
from portal.security import read_file_link
from portal.services import documents

bp = Blueprint("documents", url_prefix="/api/v1")


@bp.post("/me/attestations")
async def create_attestation(request: Request) -> HTTPResponse:
    claims = session_claims(request)
    body = validation.json_object(request.body)
    kind = validation.choice(body, "type", "type d'attestation", documents.ATTESTATION_TYPES)
    start = validation.month(body.get("period_start"), "period_start", "début de période")
    end = validation.month(body.get("period_end"), "period_end", "fin de période")
    settings = resources(request).settings
    result = await db(
        request, documents.create_attestation, settings, claims, kind, start, end, now(request)
    )
    return reply(result, 201)


@bp.get("/me/documents")
async def list_documents(request: Request) -> HTTPResponse:
    claims = session_claims(request)
    year_text, kind = query(request, "year"), query(request, "kind")
    year = None
    if year_text is not None:
        if not (year_text.isascii() and year_text.isdigit() and len(year_text) == 4):
            raise ValidationFailed(
                "L'année doit comporter quatre chiffres (exemple : 2024).", field="year"
            )
        year = int(year_text)
    if kind is not None and kind not in documents.DOCUMENT_KINDS:
        raise ValidationFailed(
            "Le type de document doit être l'un de : " + ", ".join(documents.DOCUMENT_KINDS) + ".",
            field="kind",
        )
    settings = resources(request).settings
    items = await db(
        request, documents.list_documents, settings, claims, year, kind, now(request), write=False
    )
    return reply({"documents": items, "count": len(items)})


@bp.get("/me/documents/<document_id:str>")
async def get_document(request: Request, document_id: str) -> HTTPResponse:
    claims = session_claims(request)
    validation.identifier(document_id)
    settings = resources(request).settings
    return reply(
        await db(
            request,
            documents.get_document,
            settings,
            claims,
            document_id,
            now(request),
            write=False,
        )
    )


@bp.get("/files/<token:str>")
async def download(request: Request, token: str) -> HTTPResponse:
    document_id, dossier = read_file_link(resources(request).settings, token, now(request))
    name, content = await db(request, documents.load_file, document_id, dossier, write=False)
    return raw(
        content,
        content_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
