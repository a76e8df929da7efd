"""Démarches en ligne: e-mail, address, majoration « enfant majeur », return to work."""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from carpimko.text.email_address import mask_email
from portal.config import Settings
from portal.contract.messages import Service
from portal.errors import Gone, NotFound, ValidationFailed
from portal.models import EmailVerification, Member, Procedure
from portal.security import SessionClaims, digest
from portal.services.accounts import current_member
from portal.services.outbox import notify, queue_email
from portal.services.resets import THIRD_PARTY_WARNING, send_email_verification
from portal.timeutil import iso, paris_today

SERVICE_LABELS: dict[Service, str] = {
    "invalidite_deces": "Service Invalidité-Décès",
    "cotisations": "Service Cotisations",
    "retraite": "Service Retraite",
    "action_sociale": "Service Action sociale",
    "prestations": "Service Prestations",
    "relations_affilies": "Service Relations affiliés",
}
ACCOUNTANT_HINTS = (
    "compta",
    "comptab",
    "expert",
    "fiduciaire",
    "cabinet",
    "audit",
    "fiscal",
    "gestion",
    "conseil",
    "cegid",
    "paie",
)
_FR_POSTAL = re.compile(r"^\d{5}$")
_FOREIGN_POSTAL = re.compile(r"^[A-Za-z0-9 -]{2,16}$")
_OVERSEAS_PREFIXES = ("971", "972", "973", "974", "975", "976", "977", "978", "986", "987", "988")


def reference(prefix: str, now: datetime) -> str:
    return f"{prefix}-{now:%Y%m%d}-{secrets.token_hex(3).upper()}"


def record(
    session: Session,
    member: Member,
    kind: str,
    service: str,
    status: str,
    payload: dict[str, Any],
    now: datetime,
) -> Procedure:
    procedure = Procedure(
        member_id=member.id,
        kind=kind,
        reference=reference("DEM", now),
        service=service,
        status=status,
        payload=payload,
        created_at=now,
    )
    session.add(procedure)
    session.flush()
    return procedure


def email_warning(session: Session, member: Member, email: str) -> str | None:
    """'accountant' for a firm-like address, 'third_party' when another dossier uses it."""
    local, _, domain = email.partition("@")
    if any(hint in local or hint in domain.split(".")[0] for hint in ACCOUNTANT_HINTS):
        return "accountant"
    shared = session.execute(
        select(func.count(Member.id)).where(Member.email == email, Member.id != member.id)
    ).scalar_one()
    return "third_party" if shared else None


def request_email_change(
    session: Session, settings: Settings, claims: SessionClaims, email: str, now: datetime
) -> dict[str, Any]:
    member = current_member(session, claims)
    if email == member.email and member.email_verified:
        raise ValidationFailed(
            "Cette adresse est déjà celle enregistrée sur votre dossier.", field="email"
        )
    warning = email_warning(session, member, email)
    verification = send_email_verification(session, settings, member, email, "changement", now)
    if member.email and member.email != email:
        queue_email(
            session,
            member,
            member.email,
            "Demande de changement d'adresse e-mail",
            "Bonjour,\n\nUne demande de changement de l'adresse e-mail de votre Espace Personnel "
            f"vers {mask_email(email)} a été faite. Si vous n'en êtes pas à l'origine, "
            "contactez-nous sans tarder au 01 30 48 10 00.",
            now,
        )
    return {
        "status": "verification_envoyee",
        "masked_email": mask_email(email),
        "expires_at": iso(verification.expires_at),
        "warning": warning,
        "warning_message": THIRD_PARTY_WARNING if warning else None,
    }


def verify_email(session: Session, settings: Settings, token: str, now: datetime) -> dict:
    """Apply the pending address once its owner follows the link (single use, 24 hours)."""
    verification = session.execute(
        select(EmailVerification).where(
            EmailVerification.token_hash == digest(settings.secret, token)
        )
    ).scalar_one_or_none()
    if verification is None:
        raise NotFound("Ce lien de confirmation n'est pas valide.", code="lien_invalide")
    if verification.verified_at is not None:
        raise Gone("Cette adresse e-mail a déjà été confirmée.", code="lien_deja_utilise")
    if verification.revoked_at is not None:
        raise Gone("Ce lien a été remplacé par une demande plus récente.", code="lien_remplace")
    if verification.expires_at <= now:
        raise Gone(
            "Ce lien a expiré : refaites la demande depuis votre Espace Personnel.",
            code="lien_expire",
        )
    claimed = session.execute(
        update(EmailVerification)
        .where(EmailVerification.id == verification.id, EmailVerification.verified_at.is_(None))
        .values(verified_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise Gone("Cette adresse e-mail a déjà été confirmée.", code="lien_deja_utilise")
    member = session.get(Member, verification.member_id)
    member.email, member.email_verified = verification.email, True
    record(
        session,
        member,
        "changement_email",
        "relations_affilies",
        "effectue",
        {"email": mask_email(verification.email)},
        now,
    )
    return {"status": "adresse_confirmee", "masked_email": mask_email(verification.email)}


def check_postal_code(country: str, postal_code: str) -> None:
    if country != "FR":
        if not _FOREIGN_POSTAL.match(postal_code):
            raise ValidationFailed("Le code postal n'est pas valide.", field="postal_code")
        return
    valid = bool(_FR_POSTAL.match(postal_code)) and (
        "01" <= postal_code[:2] <= "95" or postal_code[:3] in _OVERSEAS_PREFIXES
    )
    if not valid:
        raise ValidationFailed(
            "Le code postal doit comporter 5 chiffres et correspondre à un département "
            "français (exemple : 75008).",
            field="postal_code",
        )


def change_address(
    session: Session,
    settings: Settings,
    claims: SessionClaims,
    address: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    member = current_member(session, claims)
    check_postal_code(address["country"], address["postal_code"])
    member.address_line1 = address["line1"]
    member.address_line2 = address["line2"]
    member.postal_code = address["postal_code"]
    member.city = address["city"].upper() if address["country"] == "FR" else address["city"]
    member.country = address["country"]
    procedure = record(
        session, member, "changement_adresse", "relations_affilies", "effectue", dict(address), now
    )
    notice = notify(
        session,
        member,
        "Changement d'adresse enregistré",
        "Bonjour,\n\nVotre nouvelle adresse postale a bien été enregistrée :\n"
        f"{member.address_line1}\n"
        + (f"{member.address_line2}\n" if member.address_line2 else "")
        + f"{member.postal_code} {member.city}\n\nRéférence : {procedure.reference}",
        now,
        settings.letters_per_hour,
    )
    return {
        "status": "effectue",
        "reference": procedure.reference,
        "address": {
            "line1": member.address_line1,
            "line2": member.address_line2,
            "postal_code": member.postal_code,
            "city": member.city,
            "country": member.country,
        },
        "notification_channel": notice.channel,
        "letter_status": notice.letter_status,
    }


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def request_adult_child_increase(
    session: Session,
    claims: SessionClaims,
    child_first_name: str,
    birth_date: date,
    situation: str,
    now: datetime,
) -> dict[str, Any]:
    """File a majoration « enfant majeur » request for the Invalidité-Décès service."""
    member = current_member(session, claims)
    if not member.benefit:
        raise ValidationFailed(
            "La majoration « enfant majeur » concerne les bénéficiaires d'une prestation "
            "(rente d'invalidité, pension de réversion) : aucune n'est versée sur votre dossier.",
            code="demarche_non_applicable",
        )
    today = paris_today(now)
    if birth_date >= today:
        raise ValidationFailed(
            "La date de naissance doit être dans le passé.", field="child_birth_date"
        )
    age = _age(birth_date, today)
    if age < 18:
        raise ValidationFailed(
            "La majoration « enfant majeur » concerne les enfants de 18 ans et plus.",
            field="child_birth_date",
        )
    if age > 25 and situation != "handicap":
        raise ValidationFailed(
            "Au-delà de 25 ans, la majoration n'est accordée que pour un enfant en situation "
            "de handicap.",
            field="child_birth_date",
        )
    payload = {
        "child_first_name": child_first_name,
        "child_birth_date": birth_date.isoformat(),
        "situation": situation,
    }
    procedure = record(
        session, member, "majoration_enfant_majeur", "invalidite_deces", "en_cours", payload, now
    )
    return {
        "reference": procedure.reference,
        "status": "en_cours",
        "service": "invalidite_deces",
        "service_label": SERVICE_LABELS["invalidite_deces"],
        "documents_to_send": _child_documents(situation),
    }


def _child_documents(situation: str) -> list[str]:
    return {
        "etudes": ["certificat de scolarité de l'année en cours"],
        "apprentissage": ["contrat d'apprentissage"],
        "recherche_emploi": ["attestation d'inscription à France Travail"],
        "handicap": ["notification de la MDPH ou justificatif du handicap"],
    }[situation]


def declare_work_resumption(
    session: Session, claims: SessionClaims, resume_type: str, resume_date: date, now: datetime
) -> dict[str, Any]:
    """Return to work after sick leave (full-time or therapeutic), for Invalidité-Décès."""
    member = current_member(session, claims)
    if member.profile != "affilie":
        raise ValidationFailed(
            "La déclaration de reprise d'activité concerne les affiliés.",
            code="demarche_non_applicable",
        )
    today = paris_today(now)
    if abs((resume_date - today).days) > 366:
        raise ValidationFailed(
            "La date de reprise doit se situer dans les douze mois passés ou à venir.",
            field="date",
        )
    payload = {"resume_type": resume_type, "date": resume_date.isoformat()}
    procedure = record(
        session, member, "reprise_activite", "invalidite_deces", "en_cours", payload, now
    )
    label = "à temps complet" if resume_type == "temps_complet" else "à des fins thérapeutiques"
    return {
        "reference": procedure.reference,
        "status": "en_cours",
        "service": "invalidite_deces",
        "service_label": SERVICE_LABELS["invalidite_deces"],
        "resume_type": resume_type,
        "date": resume_date.isoformat(),
        "message": f"Votre reprise d'activité {label} au {resume_date:%d/%m/%Y} a été transmise "
        "au service Invalidité-Décès.",
    }
