"""Démarches: RIB, address, e-mail, majoration « enfant majeur », return to work."""

from __future__ import annotations

import re

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from portal import validation
from portal.errors import ValidationFailed
from portal.http import db, limit, now, reply, resources, session_claims
from portal.services import procedures, rib

bp = Blueprint("procedures", url_prefix="/api/v1")
_HOLDER = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿ' .-]+$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@bp.post("/me/rib-changes")
async def start_rib_change(request: Request) -> HTTPResponse:
    claims = session_claims(request)
    body = validation.json_object(request.body)
    iban_text = validation.required_text(body, "iban", "IBAN", max_length=50)
    bic_text = validation.required_text(body, "bic", "BIC", max_length=15)
    holder = validation.required_text(
        body, "holder_name", "titulaire du compte", min_length=2, max_length=70
    )
    if not _HOLDER.match(holder):
        raise ValidationFailed(
            "Le nom du titulaire ne peut contenir que des lettres, espaces, apostrophes, "
            "points et tirets.",
            field="holder_name",
        )
    iban, bic = rib.validate_bank_details(iban_text, bic_text)
    settings = resources(request).settings
    result = await db(
        request, rib.start_change, settings, claims, iban, bic, holder.upper(), now(request)
    )
    return reply(result, 201)


@bp.post("/me/rib-changes/check")
async def check_rib_iban(request: Request) -> HTTPResponse:
    """Is this IBAN the one on file? Asked before the summary, so the member is told at once."""
    claims = session_claims(request)
    body = validation.json_object(request.body)
    iban_text = validation.required_text(body, "iban", "IBAN", max_length=50)
    iban = rib.validate_iban(iban_text)
    return reply(await db(request, rib.compare_with_current, claims, iban, write=False))


@bp.post("/me/rib-changes/<change_id:str>/confirm")
async def confirm_rib_change(request: Request, change_id: str) -> HTTPResponse:
    claims = session_claims(request)
    validation.identifier(change_id)
    body = validation.json_object(request.body)
    code = validation.required_text(body, "code", "code de confirmation", max_length=12)
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
    body = validation.json_object(request.body)
    country = validation.text(body, "country", "pays", required=False, max_length=2) or "FR"
    country = country.upper()
    if not _COUNTRY.match(country):
        raise ValidationFailed(
            "Le pays doit être un code ISO à deux lettres (exemple : FR).", field="country"
        )
    address = {
        "line1": validation.required_text(body, "line1", "adresse", max_length=120),
        "line2": validation.text(
            body, "line2", "complément d'adresse", required=False, max_length=120
        ),
        "postal_code": validation.required_text(body, "postal_code", "code postal", max_length=16),
        "city": validation.required_text(body, "city", "ville", max_length=80),
        "country": country,
    }
    res = resources(request)
    result = await db(
        request, procedures.change_address, res.settings, claims, address, now(request)
    )
    return reply(result)


@bp.post("/me/email-changes")
async def request_email_change(request: Request) -> HTTPResponse:
    claims = session_claims(request)
    body = validation.json_object(request.body)
    email = validation.email(body)
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
    body = validation.json_object(request.body)
    first_name = validation.required_text(
        body, "child_first_name", "prénom de l'enfant", max_length=80
    )
    birth = validation.day(
        body.get("child_birth_date"), "child_birth_date", "date de naissance de l'enfant"
    )
    situation = validation.choice(
        body, "situation", "situation de l'enfant", procedures.CHILD_SITUATIONS
    )
    result = await db(
        request,
        procedures.request_adult_child_increase,
        claims,
        first_name,
        birth,
        situation,
        now(request),
    )
    return reply(result, 201)


@bp.post("/me/work-resumptions")
async def work_resumption(request: Request) -> HTTPResponse:
    claims = session_claims(request)
    body = validation.json_object(request.body)
    resume_type = validation.choice(body, "resume_type", "type de reprise", procedures.RESUME_TYPES)
    resume_date = validation.day(body.get("date"), "date", "date de reprise")
    result = await db(
        request, procedures.declare_work_resumption, claims, resume_type, resume_date, now(request)
    )
    return reply(result, 201)
