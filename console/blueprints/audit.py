"""The audit log, visible to every staff member: who logged in, viewed, searched, exported."""

from __future__ import annotations

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from console import staff
from console.views import blocking, page_number, render

bp = Blueprint("audit")
PAGE_SIZE = 100


@bp.get("/audit")
async def audit_page(request: Request) -> HTTPResponse:
    page = page_number(request)
    entries, total = await blocking(
        staff.audit_entries, request.app.ctx.store, PAGE_SIZE, (page - 1) * PAGE_SIZE
    )
    pages = max(1, -(-total // PAGE_SIZE))
    return render(request, "audit.html", entries=entries, total=total, page=page, pages=pages)


@bp.get("/api/audit")
async def audit_api(request: Request) -> HTTPResponse:
    page = page_number(request)
    entries, total = await blocking(
        staff.audit_entries, request.app.ctx.store, PAGE_SIZE, (page - 1) * PAGE_SIZE
    )
    return response.json({"entries": entries, "total": total, "page": page})
