"""Service routes: health, contact details, handoffs and callbacks, the demo clock and outbox."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

import phonenumbers
from pydantic import Field

from portal import validation
from portal.contract import fields
from portal.contract.base import Answer, Request, checked
from portal.errors import ValidationFailed

Channel = Literal["web", "ivr", "rest", "console"]
TicketStatus = Literal["open", "closed"]
FRENCH_REGIONS = {"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "NC", "PF", "WF"}


class ErrorDetails(Answer):
    code: str
    message: str = Field(..., description="message en français")
    field: str | None = None
    retry_after: int | None = Field(None, description="secondes (réponses 429)")


class Error(Answer):
    """Every refusal: ``{"error": {"code", "message"}}``, the message in French."""

    error: ErrorDetails


class Health(Answer):
    status: Literal["ok", "error"]
    database: str


class ContactQuery(Request):
    at: datetime | None = fields.moment("date et heure")


class OpeningHours(Answer):
    timezone: str
    days: list[str]
    opens: str
    closes: str
    closed_on_public_holidays: bool
    text: str


class PostalAddress(Answer):
    name: str
    line1: str
    postal_code: str
    city: str
    country: str


class Contact(Answer):
    phone: str
    phone_e164: str
    opening_hours: OpeningHours
    postal_address: PostalAddress
    website: str
    secure_messaging: str
    at: datetime
    open_now: bool
    closes_at: datetime | None = Field(...)
    next_opening: datetime


def french_phone(raw: str) -> str | None:
    """E.164 form of a valid French number (metropolitan or overseas), else None: the one rule
    for a number to call back, applied by the portal and, before asking it, by the assistant."""
    try:
        number = phonenumbers.parse(raw, "FR")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.region_code_for_number(number) not in FRENCH_REGIONS:
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _phone(value: Any, name: str) -> str:
    text = validation.text(value, name, "numéro de téléphone", max_length=30) or ""
    e164 = french_phone(text)
    if e164 is None:
        raise ValidationFailed(
            "Indiquez un numéro de téléphone français valide (exemple : 06 12 34 56 78).",
            field=name,
        )
    return e164


def _slot(value: Any, name: str) -> datetime:
    if not isinstance(value, str):
        raise ValidationFailed(
            "Le créneau souhaité doit être une date et heure ISO 8601.", field=name
        )
    return validation.moment(value, name, "créneau souhaité")


class HandoffRequest(Request):
    dossier_number: str | None = fields.dossier_number(None)
    conversation_id: str = fields.text("référence de conversation", 128)
    summary: str | None = fields.text("résumé", 4000, multiline=True, required=False)
    channel: Channel = fields.choice("canal", Channel)


class CallbackRequest(Request):
    dossier_number: str | None = fields.dossier_number(None)
    conversation_id: str = fields.text("référence de conversation", 128)
    summary: str | None = fields.text("résumé", 4000, multiline=True, required=False)
    channel: Channel | None = fields.choice("canal", Channel, None)
    phone: str = checked(_phone, "numéro de téléphone", min_length=1, max_length=30)
    preferred_slot: datetime | None = checked(
        _slot,
        "créneau souhaité",
        None,
        json_schema={
            "type": "string",
            "format": "date-time",
            "description": "dans les heures d'ouverture",
        },
    )


def _status(value: Any, name: str) -> str:
    if value not in ("open", "closed"):
        raise ValidationFailed("Le statut doit valoir « open » ou « closed ».", field=name)
    return str(value)


class TicketsQuery(Request):
    status: TicketStatus | None = checked(_status, "statut", None)


class Ticket(Answer):
    ticket_id: int
    reference: str
    kind: Literal["handoff", "callback"]
    conversation_id: str
    channel: str | None = Field(...)
    summary: str | None = Field(...)
    dossier_number: str | None = Field(..., json_schema=fields.DOSSIER_SCHEMA)
    phone: str | None = Field(...)
    preferred_slot: datetime | None = Field(...)
    status: TicketStatus
    created_at: datetime
    closed_at: datetime | None = Field(...)


class Tickets(Answer):
    tickets: list[Ticket]
    count: int = Field(..., ge=0)


class HeldLetter(Answer):
    """A letter over the hourly cap, as the console sees it: never its text nor the address."""

    letter_id: int
    dossier_number: str | None = Field(..., json_schema=fields.DOSSIER_SCHEMA)
    subject: str
    status: fields.LetterStatus
    created_at: datetime
    expected_delivery_date: date | None = Field(...)


class HeldLetters(Answer):
    letters: list[HeldLetter]
    count: int = Field(..., ge=0)


class ClockSet(Request):
    now: datetime = checked(
        lambda value, name: validation.moment(
            validation.text(value, name, "date et heure", max_length=40), name, "date et heure"
        ),
        "date et heure",
        json_schema={"type": "string", "format": "date-time"},
    )


class ClockNow(Answer):
    now: datetime


class PageToken(Request):
    """The token of a link the portal e-mailed (the page itself says what is wrong)."""

    token: str = Field(..., min_length=1, max_length=200)


class OutboxQuery(Request):
    dossier_number: str | None = fields.dossier_number(None)


class OutboxMessage(Answer):
    id: int
    dossier_number: str | None = Field(..., json_schema=fields.DOSSIER_SCHEMA)
    kind: Literal["email", "courrier"]
    recipient: str
    subject: str
    body: str
    link: str | None = Field(...)
    status: str
    expected_delivery_date: date | None = Field(...)
    created_at: datetime


class Outbox(Answer):
    messages: list[OutboxMessage]
    count: int = Field(..., ge=0)
