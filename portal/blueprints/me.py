"""The connected member's own data, payments and first login."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from portal import validation
from portal.errors import ValidationFailed
from portal.http import db, now, query, reply, resources, session_claims
from portal.services import accounts, resets

bp = Blueprint("me", url_prefix="/api/v1/me")


@bp.get("")
async def profile(request: Request) -> HTTPResponse:
    claims = session_claims(request)
    return reply(await db(request, accounts.profile_view, claims, write=False))


@bp.get("/payments")
async def payments(request: Request) -> HTTPResponse:
    claims = session_claims(request)
    start_text, end_text = query(request, "from"), query(request, "to")
    start = None if start_text is None else validation.month(start_text, "from", "mois de début")
    end = None if end_text is None else validation.month(end_text, "to", "mois de fin")
    if start and end and start > end:
        raise ValidationFailed("Le mois de début doit précéder le mois de fin.", field="from")
    return reply(await db(request, accounts.list_payments, claims, start, end, write=False))


@bp.post("/first-login")
async def first_login(request: Request) -> HTTPResponse:
    claims = session_claims(request, allow_password_change=True)
    body = validation.json_object(request.body)
    password = validation.raw_password(body, "new_password", "mot de passe")
    confirmation = validation.raw_password(
        body, "new_password_confirmation", "confirmation du mot de passe"
    )
    email = validation.email(body)
    if not validation.boolean(body, "accept_terms", "acceptation des conditions générales"):
        raise ValidationFailed(
            "Vous devez accepter les conditions générales d'utilisation pour accéder à votre "
            "Espace Personnel.",
            field="accept_terms",
        )
    res = resources(request)
    result = await db(
        request,
        resets.first_login,
        res.settings,
        res.hasher,
        claims,
        password,
        confirmation,
        email,
        now(request),
    )
    return reply(result)
