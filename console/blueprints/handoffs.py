"""Queue of open handoff and callback tickets (from the portal) beside their conversation."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from console import portal, tracker
from console.conversations import summarize
from console.views import audit, blocking, render

bp = Blueprint("handoffs")
UNAVAILABLE = "Le portail ne répond pas : la file des demandes est momentanément indisponible."


async def _queue(request: Request) -> list[dict[str, Any]]:
    """Tickets, each with the summary of its conversation when the store still has it."""
    settings = request.app.ctx.settings
    tickets = await portal.open_tickets(settings.portal_url, settings.portal_service_key)
    senders = [str(t["conversation_id"]) for t in tickets if t.get("conversation_id")]
    engine = request.app.ctx.tracker
    loaded: dict[str, list[dict[str, Any]]] = {}
    ready: bool = await blocking(tracker.store_ready, engine)
    if senders and ready:
        loaded = await blocking(tracker.load_events, engine, senders)
    for ticket in tickets:
        events = loaded.get(str(ticket.get("conversation_id")))
        ticket["conversation"] = (
            summarize(str(ticket["conversation_id"]), events).as_dict() if events else None
        )
    return tickets


@bp.get("/handoffs")
async def handoffs_page(request: Request) -> HTTPResponse:
    try:
        tickets = await _queue(request)
    except portal.PortalUnavailable:
        return render(request, "handoffs.html", 502, tickets=[], error=UNAVAILABLE)
    await audit(request, "file_conseiller", "handoffs", tickets=len(tickets))
    return render(request, "handoffs.html", tickets=tickets, error="")


@bp.get("/api/handoffs")
async def handoffs_api(request: Request) -> HTTPResponse:
    try:
        tickets = await _queue(request)
    except portal.PortalUnavailable:
        return response.json(
            {"error": {"code": "portail_indisponible", "message": UNAVAILABLE}}, status=502
        )
    await audit(request, "file_conseiller", "handoffs", tickets=len(tickets))
    return response.json({"tickets": tickets, "count": len(tickets)})
