"""Members, sessions and their own data."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from carpimko.text.email_address import mask_email
from carpimko.text.iban import mask_iban
from portal.config import Settings
from portal.errors import Unauthorized
from portal.models import Member, Payment
from portal.security import SessionClaims, issue_session, verify_password
from portal.timeutil import iso, month_key

BENEFIT_LABELS = {
    "rente_invalidite": "Rente d'invalidité",
    "pension_reversion": "Pension de réversion",
}
INVALIDITY_DEATH_BENEFITS = ("rente_invalidite",)
BAD_CREDENTIALS = "Numéro de dossier, profil ou mot de passe incorrect."


def find_member(session: Session, profile: str, dossier_number: str) -> Member | None:
    return session.execute(
        select(Member).where(Member.dossier_number == dossier_number, Member.profile == profile)
    ).scalar_one_or_none()


def current_member(session: Session, claims: SessionClaims) -> Member:
    """The session's member; a session older than the last password change is refused."""
    member = find_member(session, claims.profile, claims.dossier_number)
    if member is None or member.session_epoch != claims.epoch:
        raise Unauthorized(
            "Votre session n'est plus valide : veuillez vous reconnecter.", code="session_expiree"
        )
    return member


def set_password(member: Member, password_hash: str) -> None:
    """Install a personal password and end every existing session."""
    member.password_hash = password_hash
    member.temp_password_hash = None
    member.temp_password_expires_at = None
    member.session_epoch += 1


def end_sessions(session: Session, claims: SessionClaims) -> None:
    """Logout: every token of this member stops working at once (the epoch they carry is
    passed). Tokens are signed, not stored, so this is how one is revoked; it ends the
    member's other devices' sessions too, the safe side on a shared computer."""
    current_member(session, claims).session_epoch += 1


def session_payload(settings: Settings, member: Member, must_change: bool, now: datetime) -> dict:
    claims = SessionClaims(member.dossier_number, member.profile, member.session_epoch, must_change)
    token, expires = issue_session(settings, claims, now)
    return {
        "token": token,
        "token_type": "Bearer",
        "expires_at": iso(expires),
        "must_change_password": must_change,
        "dossier_number": member.dossier_number,
        "profile": member.profile,
    }


def login(
    session: Session,
    settings: Settings,
    hasher: PasswordHasher,
    profile: str,
    dossier_number: str,
    password: str,
    now: datetime,
) -> dict[str, Any]:
    """Check the personal or the temporary password; the latter forces a change."""
    member = find_member(session, profile, dossier_number)
    personal = member.password_hash if member else None
    # Always one full hash check, so timing tells neither which dossiers exist nor which
    # were never activated.
    checked = personal or _dummy_hash(hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if verify_password(hasher, checked, password) and personal and member:
        return session_payload(settings, member, False, now)
    temp_valid = (
        member and member.temp_password_expires_at and (member.temp_password_expires_at > now)
    )
    if member and temp_valid and verify_password(hasher, member.temp_password_hash, password):
        return session_payload(settings, member, True, now)
    raise Unauthorized(BAD_CREDENTIALS, code="identifiants_invalides")


@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return PasswordHasher(time_cost, memory_cost, parallelism).hash(secrets.token_hex(8))


def profile_view(session: Session, claims: SessionClaims) -> dict[str, Any]:
    member = current_member(session, claims)
    return {
        "dossier_number": member.dossier_number,
        "profile": member.profile,
        "civility": member.civility,
        "first_name": member.first_name,
        "last_name": member.last_name,
        "profession": member.profession,
        "email": member.email,
        "email_masked": mask_email(member.email) if member.email else None,
        "email_verified": bool(member.email and member.email_verified),
        "address": {
            "line1": member.address_line1,
            "line2": member.address_line2,
            "postal_code": member.postal_code,
            "city": member.city,
            "country": member.country,
        },
        "bank": {
            "iban": member.iban,
            "iban_masked": mask_iban(member.iban),
            "bic": member.bic,
            "holder_name": member.bank_holder,
        },
        "benefit": (
            {
                "type": member.benefit,
                "label": BENEFIT_LABELS.get(member.benefit, member.benefit),
                "since": member.benefit_since.isoformat() if member.benefit_since else None,
            }
            if member.benefit
            else None
        ),
    }


def payment_row(payment: Payment) -> dict[str, Any]:
    return {
        "period": payment.period,
        "paid_on": payment.paid_on.isoformat(),
        "benefit": payment.benefit,
        "benefit_label": BENEFIT_LABELS.get(payment.benefit, payment.benefit),
        "gross_cents": payment.gross_cents,
        "csg_deductible_cents": payment.csg_deductible_cents,
        "csg_non_deductible_cents": payment.csg_non_deductible_cents,
        "crds_cents": payment.crds_cents,
        "casa_cents": payment.casa_cents,
        "net_cents": payment.net_cents,
    }


def payments_between(
    session: Session, member: Member, start: date | None, end: date | None
) -> list[Payment]:
    query = select(Payment).where(Payment.member_id == member.id).order_by(Payment.period)
    if start:
        query = query.where(Payment.period >= month_key(start))
    if end:
        query = query.where(Payment.period <= month_key(end))
    return list(session.execute(query).scalars())


def list_payments(
    session: Session, claims: SessionClaims, start: date | None, end: date | None
) -> dict[str, Any]:
    member = current_member(session, claims)
    payments = payments_between(session, member, start, end)
    fields = (
        "gross_cents",
        "csg_deductible_cents",
        "csg_non_deductible_cents",
        "crds_cents",
        "casa_cents",
        "net_cents",
    )
    return {
        "from": month_key(start) if start else None,
        "to": month_key(end) if end else None,
        "payments": [payment_row(p) for p in payments],
        "totals": {f: sum(getattr(p, f) for p in payments) for f in fields},
        "count": len(payments),
    }
