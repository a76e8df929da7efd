"""Logged-in documents: attestation for a chosen period, tax certificates, payment slips.

The portal generates the PDF (attestation) or lists the year's documents; the bot sends each as
a file attachment ``{"type": "file", "payload": {"src", "title"}}``, which the widget shows as a
download card (web/widget/render.js) and the REST channel passes on as is.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.config import load_settings
from actions.forms.declarations import DeclarationForm
from actions.forms.member import OUTCOME_SLOT, MemberProcedureForm, clear_procedure
from actions.forms.periods import Period, describe, parse_period, parse_year
from actions.member_portal import MemberPortal
from actions.portal_client import DocumentLink, Member

ATTESTATION_TYPES = {
    "paiement_invalidite_deces": ("paiement", "justificatif", "invalidit", "deces", "décès"),
    "versement_contributions": ("versement", "contribution", "csg", "detail", "détail", "social"),
}
KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    "attestation_fiscale": (("attestation_fiscale",), "utter_tax_certificate"),
    "bordereau": (("bordereau",), "utter_payment_slips"),
    "cotisations": (("appel_cotisations", "echeancier"), "utter_contribution_documents"),
    "tous": ((), "utter_consult_documents"),
}
"""Per ``document_kind`` (set by the intent, domain.yml): the portal's document kinds to list
(none: every kind) and the answer when the portal does not answer."""
MAX_CARDS = 12
FORM_PROMPTS = (
    "utter_ask_attestation_type",
    "utter_ask_attestation_period",
    "utter_ask_document_year",
)
"""What the forms ask (Rasa finds them by name: ``utter_ask_<slot>``)."""


def today(tracker: Tracker | None = None) -> date:
    return datetime.now(load_settings().timezone).date()


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def attestation_type_of(text: str) -> str | None:
    lowered = text.lower()
    if lowered in ATTESTATION_TYPES:
        return lowered
    hits = [kind for kind, words in ATTESTATION_TYPES.items() if any(w in lowered for w in words)]
    return hits[0] if len(hits) == 1 else None


def is_safe_link(url: str) -> bool:
    """Only http(s) links to the portal's own host are sent to the user."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def send_document(dispatcher: CollectingDispatcher, document: DocumentLink) -> bool:
    if not is_safe_link(document.url):
        return False
    # The card alone: its title is the portal's document title (the widget shows a download
    # card, the REST channel passes the attachment on); a text would repeat the title.
    dispatcher.utter_message(
        attachment={"type": "file", "payload": {"src": document.url, "title": document.title}}
    )
    return True


class ValidateAttestationForm(DeclarationForm):
    """Type (buttons or words), then period (« 2025 », « mars 2025 », « 3 derniers mois »).

    Attestations are of benefits the fund paid: with none on the dossier (the portal says so),
    the form says it once, before any question, instead of asking a period the portal refuses.
    """

    unavailable_response = "utter_download_attestation"
    not_applicable_response = "utter_attestation_no_benefit"

    explanations = {  # noqa: RUF012
        "attestation_type": "utter_explain_attestation_type",
        "attestation_period": "utter_explain_attestation_period",
    }

    def name(self) -> str:
        return "validate_attestation_form"

    def applies_to(self, member: Member) -> bool:
        return member.benefit is not None

    async def validate_attestation_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        kind = attestation_type_of(_text(value))
        if kind is None:
            return self.reject(
                "attestation_type", dispatcher, tracker, "utter_invalid_attestation_type"
            )
        return self.accept("attestation_type", kind, tracker)

    async def validate_attestation_period(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = _text(value)
        period = None
        if ":" in text and text[:4].isdigit():
            try:
                period = Period.from_slot(text)
            except ValueError:
                period = None
        period = period or parse_period(text, today())
        if period is None:
            return self.reject(
                "attestation_period", dispatcher, tracker, "utter_invalid_attestation_period"
            )
        kind = tracker.get_slot("attestation_type") or "paiement_invalidite_deces"
        document, refused = await self.ask_portal(
            "attestation_period",
            dispatcher,
            tracker,
            lambda me: me.create_attestation(kind, period.start_key, period.end_key),
            "utter_download_attestation",
        )
        if document is None:
            return refused
        dispatcher.utter_message(response="utter_attestation_created", period=describe(period))
        if not send_document(dispatcher, document):
            dispatcher.utter_message(response="utter_download_attestation")
        slots = self.accept("attestation_period", period.as_slot(), tracker)
        slots[OUTCOME_SLOT] = "done"
        return slots


class ValidateDocumentsForm(MemberProcedureForm):
    """The year of the tax certificate, the payment slips or all documents."""

    explanations = {"document_year": "utter_explain_document_year"}  # noqa: RUF012

    def name(self) -> str:
        return "validate_documents_form"

    async def validate_document_year(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        current = today()
        year = parse_year(_text(value), current)
        if year is None or not 1990 <= year <= current.year:
            return self.reject("document_year", dispatcher, tracker, "utter_invalid_document_year")
        portal_kinds, fallback = KINDS.get(tracker.get_slot("document_kind"), KINDS["tous"])

        async def listed(me: MemberPortal) -> list[DocumentLink]:
            if not portal_kinds:
                return await me.documents(year, None)
            return [d for kind in portal_kinds for d in await me.documents(year, kind)]

        documents, refused = await self.ask_portal(
            "document_year", dispatcher, tracker, listed, fallback
        )
        if documents is None:
            return refused
        if not documents:
            return self.reject(
                "document_year", dispatcher, tracker, "utter_no_documents", year=str(year)
            )
        dispatcher.utter_message(
            response="utter_documents_found", count=str(len(documents)), year=str(year)
        )
        for document in documents[:MAX_CARDS]:
            send_document(dispatcher, document)
        if len(documents) > MAX_CARDS:
            dispatcher.utter_message(response="utter_more_documents")
        slots = self.accept("document_year", str(year), tracker)
        slots[OUTCOME_SLOT] = "done"
        return slots


class ActionProcedureDone(Action):
    """After a logged-in form: forget its slots; offer more help when it went through."""

    def name(self) -> str:
        return "action_procedure_done"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot(OUTCOME_SLOT) == "done":
            dispatcher.utter_message(response="utter_anything_else")
        return clear_procedure()
