"""Demo mailbox (only in demo mode): what the portal e-mailed or posted, with the links.

It lets a person finish a reset end to end without a real mailbox, and the
tests read the same outbox as JSON.
"""

from __future__ import annotations

from html import escape

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from portal.blueprints.pages import page
from portal.contract import routes
from portal.contract.support import OutboxQuery
from portal.errors import ValidationFailed
from portal.http import body, db, queries, reply, require_service
from portal.services.outbox import list_outbox
from portal.timeutil import ShiftableClock

bp = Blueprint("demo")


def _dossier_filter(request: Request) -> str | None:
    return queries(request, routes.DEMO_OUTBOX, OutboxQuery).dossier_number


@bp.put("/api/v1/demo/clock")
async def set_clock(request: Request) -> HTTPResponse:
    """Move the portal's clock (demos and end-to-end tests of opening hours); service key."""
    require_service(request)
    moment = body(request, routes.DEMO_CLOCK).now
    clock = request.app.ctx.resources.clock
    if not isinstance(clock, ShiftableClock):
        raise ValidationFailed("L'horloge de ce portail ne peut pas être déplacée.", field="now")
    clock.set(moment)
    return reply({"now": clock().isoformat()})


@bp.get("/api/v1/demo/outbox")
async def outbox_json(request: Request) -> HTTPResponse:
    items = await db(request, list_outbox, _dossier_filter(request), 200, write=False)
    return reply({"messages": items, "count": len(items)})


@bp.get("/demo/mailbox")
async def mailbox(request: Request) -> HTTPResponse:
    items = await db(request, list_outbox, _dossier_filter(request), 200, write=False)
    rows = []
    for item in items:
        link = (
            f'<p><a href="{escape(item["link"])}">{escape(item["link"])}</a></p>'
            if item["link"]
            else ""
        )
        expected = (
            f"<br>distribution prévue le {escape(item['expected_delivery_date'])}"
            if item["expected_delivery_date"]
            else ""
        )
        rows.append(
            f"<tr><td>{escape(item['created_at'][:16].replace('T', ' '))}<br>"
            f"{'E-mail' if item['kind'] == 'email' else 'Courrier'}{expected}<br>"
            f"dossier {escape(item['dossier_number'] or '–')}</td>"
            f"<td><pre>{escape(item['recipient'])}</pre></td>"
            f"<td><strong>{escape(item['subject'])}</strong>{link}"
            f"<pre>{escape(item['body'])}</pre></td></tr>"
        )
    table = (
        (
            "<table><tr><th>Envoi</th><th>Destinataire</th><th>Message</th></tr>"
            + "".join(rows)
            + "</table>"
        )
        if rows
        else "<p>Aucun message.</p>"
    )
    return page(
        "Boîte aux lettres de démonstration",
        "<p>Mode démo : les e-mails et courriers du portail ne partent pas, ils sont listés ici "
        '(les plus récents d\'abord). <a href="/demo/mailbox">Actualiser</a></p>' + table,
    )
