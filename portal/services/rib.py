"""Change of bank details: validated, then applied only with the code sent to the member."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from sqlalchemy import update
from sqlalchemy.orm import Session

from carpimko.text.email_address import mask_email
from carpimko.text.iban import mask_iban
from portal.config import Settings
from portal.errors import Conflict, Gone, NotFound, ValidationFailed
from portal.models import Document, RibChange
from portal.security import SessionClaims, constant_time_equals, digest, new_code
from portal.services.accounts import current_member
from portal.services.outbox import notify, queue_email, queue_letter
from portal.services.procedures import SERVICE_LABELS, record
from portal.timeutil import iso, paris_today

EMAIL_CODE_TTL = timedelta(minutes=30)
LETTER_CODE_TTL = timedelta(days=30)


def validate_iban(iban_text: str) -> str:
    """The compact IBAN, or a French message saying what is wrong."""
    try:
        iban = IBAN(iban_text)
    except SchwiftyException as exc:
        raise ValidationFailed(
            "L'IBAN n'est pas valide : vérifiez chaque caractère (exemple : FR76 3000 6000 "
            "0112 3456 7890 189).",
            field="iban",
        ) from exc
    if not iban.in_sepa_zone:
        raise ValidationFailed(
            "Les prestations ne peuvent être versées que sur un compte de la zone SEPA.",
            field="iban",
        )
    return str(iban.compact)


def validate_bank_details(iban_text: str, bic_text: str) -> tuple[str, str]:
    """Normalised IBAN and BIC, or a French message saying what is wrong."""
    iban = validate_iban(iban_text)
    try:
        bic = BIC(bic_text)
    except SchwiftyException as exc:
        raise ValidationFailed(
            "Le BIC n'est pas valide : il comporte 8 ou 11 caractères (exemple : BNPAFRPP).",
            field="bic",
        ) from exc
    if bic.country_code != iban[:2]:
        raise ValidationFailed("Le BIC ne correspond pas au pays de l'IBAN.", field="bic")
    return iban, str(bic.compact)


def compare_with_current(session: Session, claims: SessionClaims, iban: str) -> dict[str, Any]:
    """Whether ``iban`` (compact) is the one on file: compared in full here, where both are known,
    so that the assistant can answer at once without ever holding the current IBAN."""
    member = current_member(session, claims)
    return {"same_as_current": constant_time_equals(iban, member.iban or "")}


def start_change(
    session: Session,
    settings: Settings,
    claims: SessionClaims,
    iban: str,
    bic: str,
    holder_name: str,
    now: datetime,
) -> dict[str, Any]:
    member = current_member(session, claims)
    if iban == member.iban:
        raise ValidationFailed(
            "Cet IBAN est déjà celui enregistré sur votre dossier.", field="iban"
        )
    session.execute(
        update(RibChange)
        .where(
            RibChange.member_id == member.id,
            RibChange.confirmed_at.is_(None),
            RibChange.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    code = new_code()
    by_email = bool(member.email and member.email_verified)
    change = RibChange(
        member_id=member.id,
        iban=iban,
        bic=bic,
        holder_name=holder_name,
        code_hash=digest(settings.secret, code),
        channel="email" if by_email else "courrier",
        created_at=now,
        expires_at=now + (EMAIL_CODE_TTL if by_email else LETTER_CODE_TTL),
    )
    session.add(change)
    session.flush()
    subject = "Code de confirmation de votre changement de RIB"
    body = (
        "Bonjour,\n\nVous avez demandé à modifier les coordonnées bancaires sur lesquelles vos "
        f"prestations sont versées (nouvel IBAN {mask_iban(iban)}).\n"
        f"Votre code de confirmation : {code}\n\n"
        "Saisissez-le dans votre Espace Personnel pour rendre ce changement effectif. "
        "Si vous n'êtes pas à l'origine de cette demande, contactez-nous au 01 30 48 10 00."
    )
    result: dict[str, Any] = {
        "change_id": change.id,
        "masked_iban": mask_iban(iban),
        "bic": bic,
        "holder_name": holder_name,
        "code_sent_to": change.channel,
        "expires_at": iso(change.expires_at),
        "masked_email": None,
        "expected_delivery_date": None,
        "letter_status": None,
    }
    if by_email:
        queue_email(session, member, member.email, subject, body, now)
        result["masked_email"] = mask_email(member.email)
    else:
        letter = queue_letter(session, member, subject, body, now, settings.letters_per_hour)
        expected = letter.expected_delivery_date
        result["expected_delivery_date"] = expected.isoformat() if expected else None
        result["letter_status"] = letter.status
    return result


def confirm_change(
    session: Session,
    settings: Settings,
    claims: SessionClaims,
    change_id: str,
    code: str,
    now: datetime,
) -> dict[str, Any]:
    """Apply the new bank details if the code matches, and notify the member."""
    member = current_member(session, claims)
    change = session.get(RibChange, change_id)
    if change is None or change.member_id != member.id:
        raise NotFound("Demande de changement de RIB introuvable.")
    if change.confirmed_at is not None:
        raise Conflict("Ce changement de RIB a déjà été confirmé.", code="deja_confirme")
    if change.revoked_at is not None:
        raise Gone(
            "Cette demande a été remplacée par une demande plus récente.", code="demande_remplacee"
        )
    if change.expires_at <= now:
        raise Gone(
            "Ce code a expiré : refaites la demande de changement de RIB.", code="code_expire"
        )
    if not constant_time_equals(change.code_hash, digest(settings.secret, code)):
        raise ValidationFailed(
            "Le code de confirmation est incorrect.", field="code", code="code_incorrect"
        )
    claimed = session.execute(
        update(RibChange)
        .where(RibChange.id == change.id, RibChange.confirmed_at.is_(None))
        .values(confirmed_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise Conflict("Ce changement de RIB a déjà été confirmé.", code="deja_confirme")
    previous = mask_iban(member.iban)
    member.iban, member.bic, member.bank_holder = change.iban, change.bic, change.holder_name
    procedure = record(
        session,
        member,
        "changement_rib",
        "prestations",
        "effectue",
        {"previous_iban": previous, "iban": mask_iban(change.iban), "bic": change.bic},
        now,
    )
    text = (
        "Bonjour,\n\nVos coordonnées bancaires ont été modifiées le "
        f"{paris_today(now):%d/%m/%Y} : vos prochaines prestations seront versées sur le compte "
        f"{mask_iban(change.iban)} ({change.bic}) au nom de {change.holder_name}, "
        f"en remplacement du compte {previous}.\n"
        f"Référence : {procedure.reference}\n\n"
        "Si vous n'êtes pas à l'origine de ce changement, contactez-nous sans tarder au "
        "01 30 48 10 00."
    )
    notice = notify(
        session,
        member,
        "Modification de vos coordonnées bancaires",
        text,
        now,
        settings.letters_per_hour,
    )
    session.add(
        Document(
            member_id=member.id,
            kind="courrier",
            title="Confirmation de modification de vos coordonnées bancaires",
            year=paris_today(now).year,
            body=text,
            created_at=now,
        )
    )
    return {
        "change_id": change.id,
        "status": "effectue",
        "masked_iban": mask_iban(change.iban),
        "effective_at": iso(now),
        "reference": procedure.reference,
        "service_label": SERVICE_LABELS["prestations"],
        "notification_channel": notice.channel,
        "letter_status": notice.letter_status,
    }
