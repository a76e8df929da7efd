"""Handoffs to an advisor and callbacks (action server and support console, service key)."""

from __future__ import annotations

from typing import Any

import phonenumbers
from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from portal import validation
from portal.errors import ValidationFailed
from portal.http import db, now, query, reply, require_service
from portal.services import tickets
from portal.services.contact import CLOSING, OPENING
from portal.services.delivery import is_working_day
from portal.timeutil import PARIS

bp = Blueprint("tickets", url_prefix="/api/v1")
CHANNELS = ("web", "ivr", "rest", "console")
STATUSES = ("open", "closed")
FRENCH_REGIONS = {"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "NC", "PF", "WF"}


def _common(body: dict[str, Any]) -> dict[str, Any]:
    dossier = None if body.get("dossier_number") is None else validation.dossier_number(body)
    return {
        "conversation_id": validation.required_text(
            body, "conversation_id", "référence de conversation", max_length=128
        ),
        "summary": validation.text(
            body, "summary", "résumé", required=False, max_length=4000, multiline=True
        ),
        "dossier_number": dossier,
    }


def _phone(body: dict[str, Any]) -> str:
    text = validation.required_text(body, "phone", "numéro de téléphone", max_length=30)
    try:
        number = phonenumbers.parse(text, "FR")
    except phonenumbers.NumberParseException as exc:
        raise ValidationFailed("Le numéro de téléphone n'est pas valide.", field="phone") from exc
    valid = phonenumbers.is_valid_number(number)
    if not valid or phonenumbers.region_code_for_number(number) not in FRENCH_REGIONS:
        raise ValidationFailed(
            "Indiquez un numéro de téléphone français valide (exemple : 06 12 34 56 78).",
            field="phone",
        )
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


@bp.post("/handoffs")
async def create_handoff(request: Request) -> HTTPResponse:
    require_service(request)
    body = validation.json_object(request.body)
    fields = _common(body)
    fields["channel"] = validation.choice(body, "channel", "canal", CHANNELS)
    return reply(await db(request, tickets.open_ticket, "handoff", fields, now(request)), 201)


@bp.post("/callbacks")
async def create_callback(request: Request) -> HTTPResponse:
    require_service(request)
    body = validation.json_object(request.body)
    fields = _common(body)
    fields["channel"] = (
        validation.choice(body, "channel", "canal", CHANNELS)
        if body.get("channel") is not None
        else None
    )
    fields["phone"] = _phone(body)
    slot_text = body.get("preferred_slot")
    slot = None
    if slot_text is not None:
        if not isinstance(slot_text, str):
            raise ValidationFailed(
                "Le créneau souhaité doit être une date et heure ISO 8601.", field="preferred_slot"
            )
        slot = validation.moment(slot_text, "preferred_slot", "créneau souhaité")
        local = slot.astimezone(PARIS)
        if slot <= now(request) or not (
            is_working_day(local.date()) and OPENING <= local.time() < CLOSING
        ):
            raise ValidationFailed(
                "Le créneau souhaité doit être à venir, du lundi au vendredi entre 8 h 45 et "
                "12 h 45 (heure de Paris), hors jours fériés.",
                field="preferred_slot",
            )
    fields["preferred_slot"] = slot
    return reply(await db(request, tickets.open_ticket, "callback", fields, now(request)), 201)


async def _list(request: Request, kind: str) -> HTTPResponse:
    require_service(request)
    status = query(request, "status")
    if status is not None and status not in STATUSES:
        raise ValidationFailed("Le statut doit valoir « open » ou « closed ».", field="status")
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
