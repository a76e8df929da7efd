"""Password reset, identity check, login, first login, the member's dossier and payments."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from portal import validation
from portal.contract import fields
from portal.contract.base import Answer, Request, checked
from portal.contract.fields import Profile
from portal.errors import ValidationFailed

Channel = Literal["email", "courrier"]
NEW_PASSWORD_RULE = "au moins une minuscule, une majuscule et un chiffre"


def _postal_code(value: Any, name: str) -> str:
    """Five digits; spaces typed or spoken between them are dropped."""
    text = validation.text(value, name, "code postal", max_length=16) or ""
    compact = text.replace(" ", "")
    if not re.match(r"^\d{5}$", compact):
        raise ValidationFailed("Le code postal comporte 5 chiffres.", field=name)
    return compact


class ResetStart(Request):
    profile: Profile = fields.profile()
    dossier_number: str = fields.dossier_number()


class ResetStarted(Answer):
    reset_id: str = Field(..., regex=fields.HEX_ID_PATTERN)
    channels: list[Channel]
    masked_email: str | None = Field(..., example="j****dy@c*****.com")
    email_warning: str | None = Field(...)
    choice_expires_at: datetime
    pending: Channel | None = Field(...)
    """« courrier » or « email »: a temporary password or a live link a new request cancels."""


class IdentityCheck(Request):
    profile: Profile = fields.profile()
    dossier_number: str = fields.dossier_number()
    postal_code: str = checked(
        _postal_code, "code postal", json_schema={"type": "string", "pattern": r"^\d{5}$"}
    )


class IdentityVerified(Answer):
    verified: Literal[True]


class ResetDelivery(Request):
    channel: Channel = fields.choice("canal d'envoi (email ou courrier)", Channel)


class ResetDelivered(Answer):
    channel: Channel
    masked_email: str | None = None
    expires_at: datetime | None = None
    expected_delivery_date: date | None = None
    temporary_password_expires_at: datetime | None = None
    letter_status: fields.LetterStatus | None = None


class ResetComplete(Request):
    token: str = fields.text("lien de réinitialisation", 200)
    dossier_number: str = fields.dossier_number()
    new_password: str = fields.password("mot de passe", min_length=8, description=NEW_PASSWORD_RULE)
    new_password_confirmation: str = fields.password(
        "confirmation du mot de passe", min_length=8, description=NEW_PASSWORD_RULE
    )


class StatusMessage(Answer):
    status: str
    message: str


class Login(Request):
    profile: Profile = fields.profile()
    dossier_number: str = fields.dossier_number()
    password: str = fields.password("mot de passe")


class Session(Answer):
    token: str
    token_type: Literal["Bearer"]
    expires_at: datetime
    must_change_password: bool
    dossier_number: str = Field(..., json_schema=fields.DOSSIER_SCHEMA)
    profile: Profile


class FirstLogin(Request):
    new_password: str = fields.password("mot de passe", min_length=8, description=NEW_PASSWORD_RULE)
    new_password_confirmation: str = fields.password(
        "confirmation du mot de passe", min_length=8, description=NEW_PASSWORD_RULE
    )
    email: str = fields.email()
    accept_terms: bool = fields.flag("acceptation des conditions générales")


class FirstLoginDone(Session):
    email_verification_sent: bool
    masked_email: str


class Address(Answer):
    line1: str
    line2: str | None = Field(...)
    postal_code: str
    city: str
    country: str = Field(..., regex="^[A-Z]{2}$")


class Bank(Answer):
    iban: str
    iban_masked: str
    bic: str
    holder_name: str


class Benefit(Answer):
    type: str
    label: str
    since: date | None = Field(...)


class Me(Answer):
    dossier_number: str = Field(..., json_schema=fields.DOSSIER_SCHEMA)
    profile: Profile
    civility: str
    first_name: str
    last_name: str
    profession: str | None = Field(...)
    email: str | None = Field(...)
    email_masked: str | None = Field(...)
    email_verified: bool
    address: Address
    bank: Bank
    benefit: Benefit | None = Field(...)


class PaymentsQuery(Request):
    start: date | None = fields.month("mois de début", None, alias="from")
    end: date | None = fields.month("mois de fin", None, alias="to")


class Totals(Answer):
    gross_cents: int
    csg_deductible_cents: int
    csg_non_deductible_cents: int
    crds_cents: int
    casa_cents: int
    net_cents: int


class Payment(Totals):
    period: str = Field(..., regex=fields.MONTH_PATTERN)
    paid_on: date
    benefit: str
    benefit_label: str


class Payments(Answer):
    start: str | None = Field(..., alias="from", regex=fields.MONTH_PATTERN)
    end: str | None = Field(..., alias="to", regex=fields.MONTH_PATTERN)
    payments: list[Payment]
    totals: Totals
    count: int = Field(..., ge=0)
