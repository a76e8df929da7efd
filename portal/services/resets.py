"""Password reset and first login, as the fund's guides describe them.

1. profile + numéro de dossier; 2. e-mail (if one is known, shown masked) or
post; 3a. e-mail: a single-use link valid 24 hours; 3b. post: a temporary
password expected within 72 hours excluding week-ends and public holidays,
which forces a personal password and an e-mail at first login.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from carpimko.ops import metrics
from carpimko.text.email_address import mask_email
from portal.config import Settings
from portal.errors import Conflict, Gone, NotFound, ValidationFailed
from portal.models import EmailVerification, Member, PasswordReset
from portal.security import (
    SessionClaims,
    check_new_password,
    digest,
    new_temporary_password,
    new_token,
)
from portal.services.accounts import current_member, find_member, session_payload, set_password
from portal.services.outbox import queue_email, queue_letter
from portal.timeutil import iso

CHOICE_TTL = timedelta(minutes=30)
RESET_LINK_TTL = timedelta(hours=24)
TEMP_PASSWORD_TTL = timedelta(days=30)
EMAIL_VERIFICATION_TTL = timedelta(hours=24)
UNKNOWN_DOSSIER = "Numéro de dossier ou profil incorrect."
THIRD_PARTY_WARNING = (
    "Vérifiez qu'il ne s'agit pas de l'adresse de votre comptable ou d'un tiers déclarant "
    "à qui vous auriez confié vos identifiants."
)


def pending_credential(session: Session, member: Member, now: datetime) -> str | None:
    """« courrier » (a temporary password not yet used) or « email » (a live link): what a new
    request would cancel, so that the member is asked before losing the letter in hand."""
    expires = member.temp_password_expires_at
    if member.temp_password_hash and expires and expires > now:
        return "courrier"
    live_link = session.scalar(
        select(PasswordReset.id).where(
            PasswordReset.member_id == member.id,
            PasswordReset.token_hash.isnot(None),
            PasswordReset.used_at.is_(None),
            PasswordReset.revoked_at.is_(None),
            PasswordReset.token_expires_at > now,
        )
    )
    return "email" if live_link else None


def start(session: Session, profile: str, dossier_number: str, now: datetime) -> dict[str, Any]:
    """Open a reset request, say which channels the member can choose and what is pending.

    Nothing is cancelled yet: only :func:`deliver` replaces a pending password or link.
    """
    member = find_member(session, profile, dossier_number)
    if member is None:
        raise NotFound(UNKNOWN_DOSSIER, code="dossier_inconnu")
    pending = pending_credential(session, member, now)
    reset = PasswordReset(member_id=member.id, created_at=now, choice_expires_at=now + CHOICE_TTL)
    session.add(reset)
    session.flush()
    metrics.PASSWORD_RESETS.labels("started").inc()
    return {
        "reset_id": reset.id,
        "channels": ["email", "courrier"] if member.email else ["courrier"],
        "masked_email": mask_email(member.email) if member.email else None,
        "email_warning": THIRD_PARTY_WARNING if member.email else None,
        "choice_expires_at": iso(reset.choice_expires_at),
        "pending": pending,
    }


def deliver(
    session: Session,
    settings: Settings,
    hasher: PasswordHasher,
    reset_id: str,
    channel: str,
    now: datetime,
) -> dict[str, Any]:
    """Send the link by e-mail or the temporary password by post."""
    reset = session.get(PasswordReset, reset_id)
    if reset is None:
        raise NotFound("Demande de réinitialisation introuvable.")
    if reset.delivered_at is not None:
        raise Conflict(
            "Cette demande a déjà été traitée. Recommencez la procédure si nécessaire.",
            code="demande_deja_traitee",
        )
    if reset.choice_expires_at <= now:
        raise Gone("Cette demande a expiré : veuillez recommencer la procédure.")
    member = session.get(Member, reset.member_id)
    reset.channel, reset.delivered_at = channel, now
    # A new request replaces what was pending, whatever the channel: one valid way in at a time.
    member.temp_password_hash = member.temp_password_expires_at = None
    if channel == "email":
        return _deliver_by_email(session, settings, member, reset, now)
    temporary = new_temporary_password()
    member.temp_password_hash = hasher.hash(temporary)
    member.temp_password_expires_at = now + TEMP_PASSWORD_TTL
    letter = queue_letter(
        session,
        member,
        "Votre mot de passe provisoire pour l'Espace Personnel",
        f"Numéro de dossier : {member.dossier_number}\n"
        f"Mot de passe provisoire : {temporary}\n\n"
        "Rendez-vous sur www.carpimko.com, rubrique « Espace Personnel », sélectionnez "
        f"« {'Affilié' if member.profile == 'affilie' else 'Ayant droit'} » puis saisissez votre "
        "numéro de dossier et ce mot de passe provisoire. Vous choisirez ensuite votre mot de "
        "passe personnel (au moins 8 caractères dont une lettre minuscule, une lettre majuscule "
        "et un chiffre) et renseignerez votre adresse e-mail.\n"
        f"Ce mot de passe provisoire est valable jusqu'au "
        f"{member.temp_password_expires_at:%d/%m/%Y}.",
        now,
        settings.letters_per_hour,
    )
    expected = letter.expected_delivery_date
    return {
        "channel": "courrier",
        # « a_verifier »: over the hourly cap, a person checks the request before it leaves.
        "letter_status": letter.status,
        "expected_delivery_date": expected.isoformat() if expected else None,
        "temporary_password_expires_at": iso(member.temp_password_expires_at),
    }


def _deliver_by_email(
    session: Session, settings: Settings, member: Member, reset: PasswordReset, now: datetime
) -> dict[str, Any]:
    if not member.email:
        raise ValidationFailed(
            "Aucune adresse e-mail n'est connue pour ce dossier : le mot de passe ne peut être "
            "réinitialisé que par courrier.",
            field="channel",
            code="email_inconnu",
        )
    # A new link replaces any earlier one still unused.
    session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.member_id == member.id,
            PasswordReset.token_hash.isnot(None),
            PasswordReset.used_at.is_(None),
            PasswordReset.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    token = new_token()
    reset.token_hash = digest(settings.secret, token)
    reset.token_expires_at = now + RESET_LINK_TTL
    link = f"{settings.public_url}/reset?token={token}"
    queue_email(
        session,
        member,
        member.email,
        "Demande de réinitialisation du mot de passe",
        "Bonjour,\n\nVous avez demandé à réinitialiser votre mot de passe. Pour ce faire, "
        f"copiez-collez le lien suivant dans votre navigateur :\n\n{link}\n\n"
        "Ce lien n'est actif que pour 24 heures et ne peut servir qu'une fois ; passé ce délai "
        "vous devrez faire une nouvelle demande.\n"
        "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.",
        now,
        link=link,
    )
    return {
        "channel": "email",
        "masked_email": mask_email(member.email),
        "expires_at": iso(reset.token_expires_at),
    }


def complete(
    session: Session,
    settings: Settings,
    hasher: PasswordHasher,
    token: str,
    dossier_number: str,
    new_password: str,
    confirmation: str,
    now: datetime,
) -> dict[str, Any]:
    """Set the new password from an e-mail link: valid 24 hours, usable once."""
    reset = session.execute(
        select(PasswordReset).where(PasswordReset.token_hash == digest(settings.secret, token))
    ).scalar_one_or_none()
    if reset is None:
        raise NotFound("Ce lien de réinitialisation n'est pas valide.", code="lien_invalide")
    if reset.used_at is not None:
        raise Gone(
            "Ce lien a déjà été utilisé : faites une nouvelle demande si nécessaire.",
            code="lien_deja_utilise",
        )
    if reset.revoked_at is not None:
        raise Gone(
            "Ce lien a été remplacé par une demande plus récente : "
            "utilisez le dernier e-mail reçu.",
            code="lien_remplace",
        )
    if reset.token_expires_at <= now:
        raise Gone(
            "Ce lien a expiré : il n'est actif que 24 heures. Veuillez refaire une demande.",
            code="lien_expire",
        )
    member = session.get(Member, reset.member_id)
    if member.dossier_number != dossier_number:
        raise ValidationFailed(
            "Le numéro de dossier ne correspond pas à ce lien.", field="dossier_number"
        )
    check_new_password(new_password, confirmation)
    claimed = session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise Gone("Ce lien a déjà été utilisé.", code="lien_deja_utilise")
    set_password(member, hasher.hash(new_password))
    if member.email:
        queue_email(
            session,
            member,
            member.email,
            "Changement de mot de passe effectué",
            "Bonjour,\n\nLa modification du mot de passe de votre Espace Personnel a été prise "
            "en compte. Si vous n'êtes pas à l'origine de ce changement, contactez-nous sans "
            "tarder au 01 30 48 10 00.",
            now,
        )
    metrics.PASSWORD_RESETS.labels("completed").inc()
    return {
        "status": "mot_de_passe_modifie",
        "message": "La modification de votre mot de passe a été prise en compte. Veuillez "
        "utiliser votre nouveau mot de passe pour vous connecter.",
    }


def first_login(
    session: Session,
    settings: Settings,
    hasher: PasswordHasher,
    claims: SessionClaims,
    new_password: str,
    confirmation: str,
    email: str,
    now: datetime,
) -> dict[str, Any]:
    """After a temporary password: personal password, terms accepted, e-mail to confirm."""
    member = current_member(session, claims)
    if not claims.must_change_password:
        raise Conflict(
            "Votre mot de passe personnel est déjà défini : utilisez la modification de "
            "mot de passe ou d'adresse e-mail.",
            code="deja_active",
        )
    check_new_password(new_password, confirmation)
    set_password(member, hasher.hash(new_password))
    member.terms_accepted_at = now
    verification_sent = not (email == member.email and member.email_verified)
    if verification_sent:
        send_email_verification(session, settings, member, email, "premiere_connexion", now)
    result = session_payload(settings, member, False, now)
    result["email_verification_sent"] = verification_sent
    result["masked_email"] = mask_email(email)
    return result


def send_email_verification(
    session: Session, settings: Settings, member: Member, email: str, purpose: str, now: datetime
) -> EmailVerification:
    """Queue a confirmation link to the new address; older pending links stop working."""
    session.execute(
        update(EmailVerification)
        .where(
            EmailVerification.member_id == member.id,
            EmailVerification.verified_at.is_(None),
            EmailVerification.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    token = new_token()
    verification = EmailVerification(
        member_id=member.id,
        email=email,
        token_hash=digest(settings.secret, token),
        purpose=purpose,
        created_at=now,
        expires_at=now + EMAIL_VERIFICATION_TTL,
    )
    session.add(verification)
    link = f"{settings.public_url}/verify-email?token={token}"
    queue_email(
        session,
        member,
        email,
        "Confirmez votre adresse e-mail",
        "Bonjour,\n\nPour confirmer cette adresse e-mail pour votre Espace Personnel CARPIMKO, "
        f"copiez-collez le lien suivant dans votre navigateur :\n\n{link}\n\n"
        "Ce lien est valable 24 heures.",
        now,
        link=link,
    )
    return verification
