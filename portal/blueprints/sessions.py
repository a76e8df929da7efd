"""Login with numéro de dossier and password (public, rate-limited), and logout (revokes)."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from portal.contract import routes
from portal.errors import Unauthorized
from portal.http import body, client_key, db, limit, now, reply, resources, session_claims
from portal.services import accounts

bp = Blueprint("sessions", url_prefix="/api/v1/sessions")
TOO_MANY_FOR_DOSSIER = (
    "Trop de tentatives de connexion échouées pour ce dossier. Veuillez réessayer dans "
    "{minutes} minute(s) ou utiliser « Mot de passe oublié »."
)
TOO_MANY_FOR_CLIENT = (
    "Trop de tentatives de connexion depuis votre connexion. Veuillez réessayer dans "
    "{minutes} minute(s)."
)


@bp.post("")
async def login(request: Request) -> HTTPResponse:
    asked = body(request, routes.LOGIN)
    profile, dossier, password = asked.profile, asked.dossier_number, asked.password
    res = resources(request)
    limit(
        request,
        f"login:client:{client_key(request)}",
        res.settings.rate_login_client,
        TOO_MANY_FOR_CLIENT,
    )
    dossier_key = f"login:dossier:{dossier}"
    res.limiter.check(dossier_key, res.settings.rate_login_dossier, TOO_MANY_FOR_DOSSIER)
    try:
        result = await db(
            request,
            accounts.login,
            res.settings,
            res.hasher,
            profile,
            dossier,
            password,
            now(request),
            write=False,
        )
    except Unauthorized:
        res.limiter.hit(dossier_key, res.settings.rate_login_dossier, TOO_MANY_FOR_DOSSIER)
        raise
    res.limiter.reset(dossier_key)
    return reply(result, 201)


@bp.delete("")
async def logout(request: Request) -> HTTPResponse:
    """End the session: its token (and the member's others) is refused from now on."""
    claims = session_claims(request, allow_password_change=True)
    await db(request, accounts.end_sessions, claims)
    return HTTPResponse(status=204)
