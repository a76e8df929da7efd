"""What the actions read from the portal: small views built from the contract's answer models.

The portal's answers are parsed once, by ``portal.contract`` (see ``actions/portal_client.py``);
these views only keep, and sometimes combine, what the dialogue shows; where the answer is
already what the dialogue reads, it is used as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from portal.contract import accounts, documents, messages, procedures, support
from portal.contract.fields import LETTER_HELD

# Answers the actions read as the contract parses them (no view needed).
Ticket = support.Ticket
PendingFile = messages.Upload
"""A file the member's browser uploaded to the portal; the assistant only sees this."""
EmailChangeStarted = procedures.EmailChange
AddressChanged = procedures.AddressChanged


@dataclass(frozen=True)
class ContactInfo:
    phone: str
    hours_text: str
    opens: str
    closes: str
    address: str
    website: str
    secure_messaging: str
    open_now: bool
    next_opening: datetime
    phone_e164: str = ""
    """The advisors' line in E.164 (what the phone channel dials for a transfer)."""

    @classmethod
    def of(cls, answer: support.Contact) -> ContactInfo:
        hours, post = answer.opening_hours, answer.postal_address
        city = " ".join(p for p in (post.postal_code, post.city) if p)
        return cls(
            phone=answer.phone,
            hours_text=hours.text,
            opens=hours.opens,
            closes=hours.closes,
            address=", ".join(p for p in (post.name, post.line1, city) if p),
            website=answer.website,
            secure_messaging=answer.secure_messaging,
            open_now=answer.open_now,
            next_opening=answer.next_opening,
            phone_e164=answer.phone_e164,
        )


@dataclass(frozen=True)
class ResetStarted:
    reset_id: str
    channels: tuple[str, ...]
    masked_email: str | None
    email_warning: str | None
    pending: str | None = None
    """« courrier » or « email »: a temporary password or a live link a new request cancels."""

    @classmethod
    def of(cls, answer: accounts.ResetStarted) -> ResetStarted:
        return cls(
            answer.reset_id,
            tuple(answer.channels),
            answer.masked_email,
            answer.email_warning,
            answer.pending,
        )

    @property
    def email_possible(self) -> bool:
        return "email" in self.channels and self.masked_email is not None


@dataclass(frozen=True)
class ResetDelivery:
    channel: str
    masked_email: str | None = None
    link_expires_at: datetime | None = None
    expected_delivery_date: date | None = None
    letter_held: bool = False
    """Over the portal's hourly cap on letters: a person checks the request before it leaves."""

    @classmethod
    def of(cls, answer: accounts.ResetDelivered) -> ResetDelivery:
        if answer.channel == "email":
            return cls("email", answer.masked_email, link_expires_at=answer.expires_at)
        return cls(
            "courrier",
            expected_delivery_date=answer.expected_delivery_date,
            letter_held=answer.letter_status == LETTER_HELD,
        )


@dataclass(frozen=True)
class Member:
    """Who a portal session token belongs to, as the portal says (never the token's claims)."""

    dossier_number: str
    profile: str
    civility: str
    first_name: str
    last_name: str
    email_masked: str | None
    iban_masked: str | None
    benefit: str | None = None
    """Type of the benefit paid on the dossier (rente d'invalidité, réversion…), if any."""

    @classmethod
    def of(cls, answer: accounts.Me) -> Member:
        return cls(
            dossier_number=answer.dossier_number,
            profile=answer.profile,
            civility=answer.civility,
            first_name=answer.first_name,
            last_name=answer.last_name,
            email_masked=answer.email_masked,
            iban_masked=answer.bank.iban_masked,
            benefit=answer.benefit.type if answer.benefit else None,
        )

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.civility, self.last_name) if p) or self.first_name


@dataclass(frozen=True)
class DocumentLink:
    title: str
    url: str
    year: int | None
    period_start: str | None
    period_end: str | None

    @classmethod
    def of(cls, answer: documents.Document) -> DocumentLink:
        return cls(
            answer.title, answer.download_url, answer.year, answer.period_start, answer.period_end
        )


@dataclass(frozen=True)
class RibChangeStarted:
    masked_iban: str
    code_sent_to: str
    masked_email: str | None
    expected_delivery_date: date | None
    letter_held: bool = False

    @classmethod
    def of(cls, answer: procedures.RibChange) -> RibChangeStarted:
        return cls(
            answer.masked_iban,
            answer.code_sent_to,
            answer.masked_email,
            answer.expected_delivery_date,
            answer.letter_status == LETTER_HELD,
        )


@dataclass(frozen=True)
class DeclarationFiled:
    """A démarche recorded by the portal for the Invalidité-Décès service."""

    reference: str
    service_label: str
    documents_to_send: tuple[str, ...] = ()

    @classmethod
    def of(
        cls, answer: procedures.ProcedureFiled | messages.Message, to_send: list[str] | None = None
    ) -> DeclarationFiled:
        return cls(answer.reference, answer.service_label, tuple(to_send or ()))
