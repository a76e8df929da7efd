"""Password reset and first activation (public, rate-limited)."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from portal import validation
from portal.contract import routes
from portal.http import body, client_key, db, limit, now, reply, resources
from portal.services import resets

bp = Blueprint("password_resets", url_prefix="/api/v1/password-resets")
TOO_MANY_FOR_DOSSIER = (
    "Trop de demandes de réinitialisation pour ce dossier. Veuillez réessayer dans {minutes} "
    "minute(s) ou contacter la CARPIMKO au 01 30 48 10 00."
)
TOO_MANY_FOR_CLIENT = (
    "Trop de demandes de réinitialisation depuis votre connexion. Veuillez réessayer dans "
    "{minutes} minute(s)."
)


@bp.post("")
async def start(request: Request) -> HTTPResponse:
    asked = body(request, routes.RESET_START)
    profile, dossier = asked.profile, asked.dossier_number
    settings = resources(request).settings
    limit(
        request,
        f"reset:client:{client_key(request)}",
        settings.rate_reset_client,
        TOO_MANY_FOR_CLIENT,
    )
    limit(request, f"reset:dossier:{dossier}", settings.rate_reset_dossier, TOO_MANY_FOR_DOSSIER)
    return reply(await db(request, resets.start, profile, dossier, now(request)), 201)


@bp.post("/<reset_id:str>/delivery")
async def deliver(request: Request, reset_id: str) -> HTTPResponse:
    validation.identifier(reset_id)
    channel = body(request, routes.RESET_DELIVERY).channel
    res = resources(request)
    result = await db(
        request, resets.deliver, res.settings, res.hasher, reset_id, channel, now(request)
    )
    return reply(result)


@bp.post("/complete")
async def complete(request: Request) -> HTTPResponse:
    asked = body(request, routes.RESET_COMPLETE)
    res = resources(request)
    result = await db(
        request,
        resets.complete,
        res.settings,
        res.hasher,
        asked.token,
        asked.dossier_number,
        asked.new_password,
        asked.new_password_confirmation,
        now(request),
    )
    return reply(result)
