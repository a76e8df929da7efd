"""Contact details and opening hours (public)."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from portal.contract import routes
from portal.contract.support import ContactQuery
from portal.http import now, queries, reply
from portal.services.contact import contact_info

bp = Blueprint("contact", url_prefix="/api/v1")


@bp.get("/contact")
async def contact(request: Request) -> HTTPResponse:
    at = queries(request, routes.CONTACT, ContactQuery).at
    return reply(contact_info(at or now(request)))
