"""Démarches: RIB, address, e-mail, majoration « enfant majeur », return to work."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from portal import validation
from portal.contract import routes
from portal.errors import ValidationFailed
from portal.http import body, db, limit, now, reply, resources, session_claims
from portal.services import procedures, rib

bp = Blueprint("procedures", url_prefix="/api/v1")


@bp.post("/me/rib-changes")
async def start_rib_change(request: Request) -> HTTPResponse:
    claims = session_claims(request)
    asked = body(request, routes.RIB_CHANGE)
    iban, bic = rib.validate_bank_details(asked.iban, asked.bic)
    settings = resources(request).settings
    holder = asked.holder_name.upper()
    result = await db(request, rib.start_change, settings, claims, iban, bic, holder, now(request))
    return reply(result, 201)


@bp.post("/me/rib-changes/check")
async def check_rib_iban(request: Request) -> HTTPResponse:
    """Is this IBAN the one on file? Asked before the summary, so the member is told at once."""
    claims = session_claims(request)
    iban = rib.validate_iban(body(request, routes.RIB_CHECK).iban)
    return reply(await db(request, rib.compare_with_current, claims, iban, write=False))


@bp.post("/me/rib-changes/<change_id:str>/confirm")
async def confirm_rib_change(request: Request, change_id: str) -> HTTPResponse:
    claims = session_claims(request)
    validation.identifier(change_id)
    code = body(request, routes.RIB_CONFIRM).code
    res = resources(request)
    key = f"rib-code:{change_id}"
    message = "Trop de codes erronés. Veuillez réessayer dans {minutes} minute(s)."
    res.limiter.check(key, res.settings.rate_code_attempts, message)
    try:
        result = await db(
            request, rib.confirm_change, res.settings, claims, change_id, code, now(request)
        )
    except ValidationFailed as error:
        if error.code == "code_incorrect":
            res.limiter.hit(key, res.settings.rate_code_attempts, message)
        raise
    return reply(result)


@bp.post("/me/address")
async def change_address(request: Request) -> HTTPResponse:
    claims = session_claims(request)
    address = body(request, routes.ADDRESS).dict()
    settings = resources(request).settings  # the hourly cap on letters
    return reply(
        await db(request, procedures.change_address, settings, claims, address, now(request))
    )


@bp.post("/me/email-changes")
async def request_email_change(request: Request) -> HTTPResponse:
    claims = session_claims(request)
    email = body(request, routes.EMAIL_CHANGE).email
    res = resources(request)
    limit(
        request,
        f"email-change:{claims.dossier_number}",
        res.settings.rate_email_changes,
        "Trop de demandes de changement d'adresse e-mail. Réessayez dans {minutes} minute(s).",
    )
    result = await db(
        request, procedures.request_email_change, res.settings, claims, email, now(request)
    )
    return reply(result, 201)


@bp.get("/email-verifications/<token:str>")
async def verify_email(request: Request, token: str) -> HTTPResponse:
    if len(token) > 200:
        raise ValidationFailed("Ce lien de confirmation n'est pas valide.", field="token")
    settings = resources(request).settings
    return reply(await db(request, procedures.verify_email, settings, token, now(request)))


@bp.post("/me/adult-child-increases")
async def adult_child_increase(request: Request) -> HTTPResponse:
    claims = session_claims(request)
    asked = body(request, routes.ADULT_CHILD)
    result = await db(
        request,
        procedures.request_adult_child_increase,
        claims,
        asked.child_first_name,
        asked.child_birth_date,
        asked.situation,
        now(request),
    )
    return reply(result, 201)


@bp.post("/me/work-resumptions")
async def work_resumption(request: Request) -> HTTPResponse:
    claims = session_claims(request)
    asked = body(request, routes.WORK_RESUMPTION)
    result = await db(
        request,
        procedures.declare_work_resumption,
        claims,
        asked.resume_type,
        asked.date,
        now(request),
    )
    return reply(result, 201)
