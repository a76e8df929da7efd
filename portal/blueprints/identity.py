"""Identity checks for the phone line (service key, rate-limited per dossier and per caller)."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from portal.contract import routes
from portal.errors import NotFound
from portal.http import body, client_key, db, limit, reply, require_service, resources
from portal.services import identity

bp = Blueprint("identity", url_prefix="/api/v1/identity-checks")
TOO_MANY_FOR_DOSSIER = (
    "Trop de tentatives de vérification pour ce dossier. Veuillez réessayer dans {minutes} "
    "minute(s) ou contacter un conseiller."
)
TOO_MANY_FOR_CLIENT = (
    "Trop de tentatives de vérification depuis cette ligne. Veuillez réessayer dans {minutes} "
    "minute(s)."
)
MISMATCH = "Le numéro de dossier et le code postal ne correspondent pas."


@bp.post("")
async def check(request: Request) -> HTTPResponse:
    """``{profile, dossier_number, postal_code}`` → 200 ``{"verified": true}`` or 404."""
    require_service(request)
    check = body(request, routes.IDENTITY_CHECK)
    profile, dossier, postal_code = check.profile, check.dossier_number, check.postal_code
    settings = resources(request).settings
    limit(
        request,
        f"identity:client:{client_key(request)}",
        settings.rate_identity_client,
        TOO_MANY_FOR_CLIENT,
    )
    limit(
        request, f"identity:dossier:{dossier}", settings.rate_identity_dossier, TOO_MANY_FOR_DOSSIER
    )
    if not await db(request, identity.verify, profile, dossier, postal_code, write=False):
        raise NotFound(MISMATCH, code="identite_non_verifiee")
    return reply({"verified": True})
