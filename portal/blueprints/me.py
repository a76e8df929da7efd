"""The connected member's own data, payments and first login."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from portal.contract import routes
from portal.contract.accounts import PaymentsQuery
from portal.errors import ValidationFailed
from portal.http import body, db, now, queries, reply, resources, session_claims
from portal.services import accounts, resets

bp = Blueprint("me", url_prefix="/api/v1/me")


@bp.get("")
async def profile(request: Request) -> HTTPResponse:
    claims = session_claims(request)
    return reply(await db(request, accounts.profile_view, claims, write=False))


@bp.get("/payments")
async def payments(request: Request) -> HTTPResponse:
    claims = session_claims(request)
    period = queries(request, routes.PAYMENTS, PaymentsQuery)
    start, end = period.start, period.end
    if start and end and start > end:
        raise ValidationFailed("Le mois de début doit précéder le mois de fin.", field="from")
    return reply(await db(request, accounts.list_payments, claims, start, end, write=False))


@bp.post("/first-login")
async def first_login(request: Request) -> HTTPResponse:
    claims = session_claims(request, allow_password_change=True)
    asked = body(request, routes.FIRST_LOGIN)
    if not asked.accept_terms:
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
        asked.new_password,
        asked.new_password_confirmation,
        asked.email,
        now(request),
    )
    return reply(result)
