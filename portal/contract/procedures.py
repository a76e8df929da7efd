"""Démarches: RIB, address, e-mail, majoration « enfant majeur », return to work."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from portal import validation
from portal.contract import fields
from portal.contract.accounts import Address
from portal.contract.base import Answer, Request, checked
from portal.errors import ValidationFailed

Notification = Literal["email", "courrier"]
ChildSituation = Literal["etudes", "apprentissage", "recherche_emploi", "handicap"]
ResumeType = Literal["temps_complet", "therapeutique"]
_LETTERS = "A-Za-zÀ-ÖØ-öø-ÿ"
HOLDER_PATTERN = rf"^[{_LETTERS}' .-]*[{_LETTERS}][{_LETTERS}' .-]*$"
"""Letters, spaces, apostrophes, dots and hyphens, with at least one letter (« -- » is no name)."""
COUNTRY_PATTERN = "^[A-Za-z]{2}$"


def _holder(value: Any, name: str) -> str:
    holder = validation.text(value, name, "titulaire du compte", min_length=2, max_length=70)
    if holder is None or not re.match(HOLDER_PATTERN, holder):
        raise ValidationFailed(
            "Le nom du titulaire ne peut contenir que des lettres, espaces, apostrophes, "
            "points et tirets.",
            field=name,
        )
    return holder


def _country(value: Any, name: str) -> str:
    country = (validation.text(value, name, "pays", required=False, max_length=2) or "FR").upper()
    if not re.match(COUNTRY_PATTERN, country):
        raise ValidationFailed(
            "Le pays doit être un code ISO à deux lettres (exemple : FR).", field=name
        )
    return country


class RibChangeRequest(Request):
    iban: str = fields.text("IBAN", 50)
    bic: str = fields.text("BIC", 15)
    holder_name: str = checked(
        _holder, "titulaire du compte", min_length=2, max_length=70, regex=HOLDER_PATTERN
    )


class RibChange(Answer):
    change_id: str
    masked_iban: str
    bic: str
    holder_name: str
    code_sent_to: Notification
    expires_at: datetime
    masked_email: str | None = Field(...)
    expected_delivery_date: date | None = Field(...)
    letter_status: fields.LetterStatus | None = Field(...)


class RibCheckRequest(Request):
    iban: str = fields.text("IBAN", 50)


class RibCheck(Answer):
    same_as_current: bool


class RibConfirm(Request):
    code: str = fields.text("code de confirmation", 12)


class RibConfirmed(Answer):
    change_id: str
    status: Literal["effectue"]
    masked_iban: str
    effective_at: datetime
    reference: str
    service_label: str
    notification_channel: Notification
    letter_status: fields.LetterStatus | None = Field(...)


class AddressRequest(Request):
    country: str = checked(_country, "pays", "FR", regex=COUNTRY_PATTERN)
    line1: str = fields.text("adresse", 120)
    line2: str | None = fields.text("complément d'adresse", 120, required=False)
    postal_code: str = fields.text("code postal", 16)
    city: str = fields.text("ville", 80)


class AddressChanged(Answer):
    status: Literal["effectue"]
    reference: str
    address: Address
    notification_channel: Notification
    letter_status: fields.LetterStatus | None = Field(...)

    @property
    def letter_held(self) -> bool:
        """Over the hourly cap on letters: a person checks it before it leaves."""
        return self.letter_status == fields.LETTER_HELD


class EmailChangeRequest(Request):
    email: str = fields.email()


class EmailChange(Answer):
    status: Literal["verification_envoyee"]
    masked_email: str
    expires_at: datetime
    warning: Literal["accountant", "third_party"] | None = Field(...)
    warning_message: str | None = Field(...)


class EmailVerified(Answer):
    status: Literal["adresse_confirmee"]
    masked_email: str


class AdultChildRequest(Request):
    child_first_name: str = fields.text("prénom de l'enfant", 80)
    child_birth_date: date = fields.day("date de naissance de l'enfant")
    situation: ChildSituation = fields.choice("situation de l'enfant", ChildSituation)


class ProcedureFiled(Answer):
    """A démarche recorded for the Invalidité-Décès service."""

    reference: str
    status: Literal["en_cours"]
    service: Literal["invalidite_deces"]
    service_label: str


class AdultChildFiled(ProcedureFiled):
    documents_to_send: list[str]


class WorkResumptionRequest(Request):
    resume_type: ResumeType = fields.choice("type de reprise", ResumeType)
    date: date = fields.day("date de reprise")


class WorkResumptionFiled(ProcedureFiled):
    resume_type: ResumeType
    date: date
    message: str
