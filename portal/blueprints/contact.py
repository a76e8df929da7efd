"""Contact details and opening hours (public)."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from portal import validation
from portal.http import now, query, reply
from portal.services.contact import contact_info

bp = Blueprint("contact", url_prefix="/api/v1")


@bp.get("/contact")
async def contact(request: Request) -> HTTPResponse:
    at = query(request, "at")
    moment = now(request) if at is None else validation.moment(at, "at", "date et heure")
    return reply(contact_info(moment))
