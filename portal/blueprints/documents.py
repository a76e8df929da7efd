"""Attestations on request, documents by year, and short-lived download links."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, raw

from portal import validation
from portal.contract import routes
from portal.contract.documents import DocumentsQuery
from portal.http import body, db, now, queries, reply, resources, session_claims
from portal.security import read_file_link
from portal.services import documents

bp = Blueprint("documents", url_prefix="/api/v1")


@bp.post("/me/attestations")
async def create_attestation(request: Request) -> HTTPResponse:
    claims = session_claims(request)
    asked = body(request, routes.ATTESTATION)
    settings = resources(request).settings
    result = await db(
        request,
        documents.create_attestation,
        settings,
        claims,
        asked.type,
        asked.period_start,
        asked.period_end,
        now(request),
    )
    return reply(result, 201)


@bp.get("/me/documents")
async def list_documents(request: Request) -> HTTPResponse:
    claims = session_claims(request)
    asked = queries(request, routes.DOCUMENTS, DocumentsQuery)
    year, kind = asked.year, asked.kind
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
