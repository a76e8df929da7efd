"""Logged-in procedures that send a file: prolongation d'arrêt de travail and any document.

The file never travels through the assistant. When the form asks for it, the response carries
a file picker (``custom.data.upload``) that the web widget shows; the widget uploads the file
to the portal with the member's own session (``POST /api/v1/me/uploads``) and sends back only
``/inform{"upload_id": "<id>"}`` — or ``{"upload_error": "<code>"}`` when the portal refused
the file, so that the bot explains it like any invalid answer. The form asks the portal about
the id with the member's token (someone else's file is not found), shows a summary (file
name, size, dates), asks yes/no, and the submit action sends the message referencing the id.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import french_date
from actions.forms.base import is_not_a_value
from actions.forms.declarations import (
    DeclarationFiled,
    DeclarationForm,
    DeclarationSubmit,
    Filing,
    _keyword_choice,
    _slot_day,
    _text,
    today,
)
from actions.forms.member import MemberProcedureForm
from actions.forms.periods import parse_day
from actions.portal_client import Member, PendingFile

FORM_PROMPTS = (
    "utter_ask_sick_leave_end",
    "utter_ask_sick_leave_upload",
    "utter_ask_sick_leave_confirmed",
    "utter_ask_document_service",
    "utter_ask_document_subject",
    "utter_ask_document_upload",
    "utter_ask_document_confirmed",
)
"""What the forms ask (Rasa finds them by name: ``utter_ask_<slot>``)."""

UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
UPLOAD_ERRORS = {
    "format": "utter_upload_wrong_format",
    "taille": "utter_upload_too_large",
}
"""Why the portal refused the file the widget sent (``upload_error``); other codes: generic."""
DOCUMENT_SERVICES = {
    "invalidite_deces": ("prevoyance", "invalidit", "maladie", "arret", "deces", "rente"),
    "cotisations": ("cotis", "revenu", "impot", "imposition", "paiement", "echeanc"),
    "retraite": ("retrait", "pension", "carriere", "trimestre"),
    "action_sociale": ("social", "aide", "secours"),
    "relations_affilies": ("autre", "adresse", "coordonn", "je ne sais pas", "sais pas"),
}
DOCUMENT_SERVICE_LABELS = {
    "invalidite_deces": "service Invalidité-Décès (prévoyance)",
    "cotisations": "service Cotisations",
    "retraite": "service Retraite",
    "action_sociale": "service Action sociale",
    "relations_affilies": "service Relations affiliés",
}
SUBJECT_LENGTH = (3, 120)


def _entity(tracker: Tracker, name: str) -> str | None:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == name and isinstance(entity.get("value"), str):
            return str(entity["value"])
    return None


def file_size(size: int) -> str:
    """« 245 Ko », « 1,2 Mo »: how a French site writes a file size."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} Ko"
    return f"{size / (1024 * 1024):.1f} Mo".replace(".", ",")


class UploadStep(MemberProcedureForm):
    """The step « choose your file » shared by both forms."""

    unavailable_response: str

    async def check_upload(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> tuple[PendingFile | None, dict[str, Any]]:
        """The member's own file behind the widget's id, or None and the slots to return."""
        error = _entity(tracker, "upload_error")
        if error is not None:
            response = UPLOAD_ERRORS.get(error, "utter_upload_failed")
            return None, self.reject(slot, dispatcher, tracker, response)
        upload_id = _text(value).strip()
        if not UPLOAD_ID.match(upload_id) or _entity(tracker, "upload_id") != upload_id:
            return None, self.reject(slot, dispatcher, tracker, "utter_invalid_upload")
        found, stopped = await self.ask_portal(
            slot,
            dispatcher,
            tracker,
            lambda me: me.pending_file(upload_id),
            self.unavailable_response,
        )
        if found is None:
            return None, stopped
        if found.used:
            return None, self.reject(slot, dispatcher, tracker, "utter_upload_already_sent")
        return found, {}


class ValidateSickLeaveForm(DeclarationForm, UploadStep):
    """End date of the extension, the file, summary, yes/no (affiliés only)."""

    unavailable_response = "utter_sick_leave_extension"
    not_applicable_response = "utter_sick_leave_form_not_applicable"
    explanations = {  # noqa: RUF012
        "sick_leave_end": "utter_explain_sick_leave_end",
        "sick_leave_upload": "utter_explain_upload",
        "sick_leave_confirmed": "utter_explain_sick_leave_confirmed",
    }

    def name(self) -> str:
        return "validate_sick_leave_form"

    def applies_to(self, member: Member) -> bool:
        return member.profile == "affilie"

    async def validate_sick_leave_end(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = _text(value)
        if is_not_a_value(text):
            return self.not_an_answer("sick_leave_end", dispatcher, tracker)
        current = today()
        day = parse_day(text, current)
        if day is None:
            return self.reject(
                "sick_leave_end", dispatcher, tracker, "utter_invalid_sick_leave_end"
            )
        # No date window: the fund published none; the service reads the document itself.
        return self.accept("sick_leave_end", day.isoformat(), tracker)

    async def validate_sick_leave_upload(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        found, refused = await self.check_upload("sick_leave_upload", value, dispatcher, tracker)
        if found is None:
            return refused
        dispatcher.utter_message(
            response="utter_sick_leave_summary",
            end_date=french_date(_slot_day(tracker, "sick_leave_end") or today()),
            file_name=found.name,
            file_size=file_size(found.size),
        )
        return self.accept("sick_leave_upload", found.upload_id, tracker)

    async def validate_sick_leave_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self.confirm(
            "sick_leave_confirmed", value, dispatcher, tracker, "utter_file_not_sent"
        )


class ValidateDocumentForm(UploadStep):
    """Which service, what the document is, the file, summary, yes/no."""

    unavailable_response = "utter_send_document"
    explanations = {  # noqa: RUF012
        "document_service": "utter_explain_document_service",
        "document_subject": "utter_explain_document_subject",
        "document_upload": "utter_explain_upload",
        "document_confirmed": "utter_explain_document_confirmed",
    }

    def name(self) -> str:
        return "validate_document_form"

    async def validate_document_service(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        service = _keyword_choice(_text(value), DOCUMENT_SERVICES)
        if service is None:
            return self.reject(
                "document_service", dispatcher, tracker, "utter_invalid_document_service"
            )
        return self.accept("document_service", service, tracker)

    async def validate_document_subject(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        subject = " ".join(_text(value).split()).strip(" .")
        low, high = SUBJECT_LENGTH
        if not low <= len(subject) <= high or not re.search(r"[A-Za-zÀ-ÿ]{2}", subject):
            return self.reject(
                "document_subject", dispatcher, tracker, "utter_invalid_document_subject"
            )
        return self.accept("document_subject", subject[0].upper() + subject[1:], tracker)

    async def validate_document_upload(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        found, refused = await self.check_upload("document_upload", value, dispatcher, tracker)
        if found is None:
            return refused
        dispatcher.utter_message(
            response="utter_document_summary",
            service=DOCUMENT_SERVICE_LABELS.get(tracker.get_slot("document_service") or "", ""),
            subject=tracker.get_slot("document_subject") or "",
            file_name=found.name,
            file_size=file_size(found.size),
        )
        return self.accept("document_upload", found.upload_id, tracker)

    async def validate_document_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self.confirm("document_confirmed", value, dispatcher, tracker, "utter_file_not_sent")


class FileSubmit(DeclarationSubmit):
    """After a confirmed file form: the message's reference, then what happens next."""

    sent_response: str
    next_response: str

    def announce(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, filed: DeclarationFiled
    ) -> None:
        dispatcher.utter_message(
            response=self.sent_response, reference=filed.reference, service=filed.service_label
        )
        dispatcher.utter_message(response=self.next_response)


class ActionSickLeaveSubmit(FileSubmit):
    """After ``sick_leave_form``: the reference and what the Invalidité-Décès service does."""

    confirmed_slot = "sick_leave_confirmed"
    fallback_response = "utter_sick_leave_extension"
    sent_response = "utter_sick_leave_sent"
    next_response = "utter_sick_leave_next"

    def name(self) -> str:
        return "action_sick_leave_submit"

    def filing(self, tracker: Tracker) -> Filing | None:
        upload_id = tracker.get_slot("sick_leave_upload")
        end = _slot_day(tracker, "sick_leave_end")
        if not isinstance(upload_id, str) or end is None:
            return None
        # The service reads this line with the document: data, not a message to the user.
        comment = f"Prolongation d'arrêt de travail jusqu'au {end.strftime('%d/%m/%Y')}."
        return lambda me: me.send_sick_leave_extension(upload_id, comment)


class ActionDocumentSubmit(FileSubmit):
    """After ``document_form``: the reference and where the answer will come."""

    confirmed_slot = "document_confirmed"
    fallback_response = "utter_send_document"
    sent_response = "utter_document_sent"
    next_response = "utter_document_next"

    def name(self) -> str:
        return "action_document_submit"

    def filing(self, tracker: Tracker) -> Filing | None:
        service = tracker.get_slot("document_service")
        subject = tracker.get_slot("document_subject")
        upload_id = tracker.get_slot("document_upload")
        if service not in DOCUMENT_SERVICES or not subject or not isinstance(upload_id, str):
            return None
        # Subject and body of the secure message are the member's own words.
        return lambda me: me.send_message(service, subject, subject, upload_id)
