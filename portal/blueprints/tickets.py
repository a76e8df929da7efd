"""Handoffs to an advisor and callbacks (action server and support console, service key)."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from portal import validation
from portal.contract import routes
from portal.contract.support import TicketsQuery
from portal.errors import ValidationFailed
from portal.http import body, db, now, queries, reply, require_service
from portal.services import tickets
from portal.services.contact import CLOSING, OPENING
from portal.services.delivery import is_working_day
from portal.timeutil import PARIS

bp = Blueprint("tickets", url_prefix="/api/v1")


@bp.post("/handoffs")
async def create_handoff(request: Request) -> HTTPResponse:
    require_service(request)
    fields = body(request, routes.HANDOFF).dict()
    return reply(await db(request, tickets.open_ticket, "handoff", fields, now(request)), 201)


@bp.post("/callbacks")
async def create_callback(request: Request) -> HTTPResponse:
    require_service(request)
    fields = body(request, routes.CALLBACK).dict()
    slot = fields["preferred_slot"]
    if slot is not None:
        local = slot.astimezone(PARIS)
        if slot <= now(request) or not (
            is_working_day(local.date()) and OPENING <= local.time() < CLOSING
        ):
            raise ValidationFailed(
                "Le créneau souhaité doit être à venir, du lundi au vendredi entre 8 h 45 et "
                "12 h 45 (heure de Paris), hors jours fériés.",
                field="preferred_slot",
            )
    return reply(await db(request, tickets.open_ticket, "callback", fields, now(request)), 201)


async def _list(request: Request, kind: str) -> HTTPResponse:
    require_service(request)
    route = routes.HANDOFFS if kind == "handoff" else routes.CALLBACKS
    status = queries(request, route, TicketsQuery).status
    items = await db(request, tickets.list_tickets, kind, status, 200, write=False)
    return reply({"tickets": items, "count": len(items)})


@bp.get("/handoffs")
async def list_handoffs(request: Request) -> HTTPResponse:
    return await _list(request, "handoff")


@bp.get("/callbacks")
async def list_callbacks(request: Request) -> HTTPResponse:
    return await _list(request, "callback")


@bp.post("/handoffs/<ticket_id:str>/close")
async def close_handoff(request: Request, ticket_id: str) -> HTTPResponse:
    require_service(request)
    number = validation.positive_int(ticket_id)
    return reply(await db(request, tickets.close_ticket, "handoff", number, now(request)))


@bp.post("/callbacks/<ticket_id:str>/close")
async def close_callback(request: Request, ticket_id: str) -> HTTPResponse:
    require_service(request)
    number = validation.positive_int(ticket_id)
    return reply(await db(request, tickets.close_ticket, "callback", number, now(request)))
