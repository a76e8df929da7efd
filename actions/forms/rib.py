"""Logged-in change of RIB: IBAN checked with schwifty, masked summary, yes/no, then the portal
sends a confirmation code (e-mail or letter) that the member types in the Espace Personnel.

The full IBAN is only kept in a slot until the request is sent, and never shown unmasked.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from actions.forms.base import CountingFormValidation
from actions.forms.member import (
    OUTCOME_SLOT,
    ProcedureStopped,
    call_member_portal,
    clear_procedure,
    stopped_slots,
)
from actions.portal_client import PortalRejected
from carpimko.privacy import mask_iban

_IBAN_CHARS = re.compile(r"[A-Za-z]{2}\s*\d{2}(?:[\s.-]*[A-Za-z0-9]){10,30}")
FORM_PROMPTS = ("utter_ask_rib_iban", "utter_ask_rib_bic", "utter_ask_rib_confirmed")
"""What the form asks (Rasa finds them by name: ``utter_ask_<slot>``)."""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def find_iban(text: str) -> str:
    """The IBAN-looking part of a message, compacted (« mon iban est FR76 3000 … »)."""
    match = _IBAN_CHARS.search(text)
    return re.sub(r"[\s.-]", "", match.group() if match else text).upper()


def derived_bic(iban: IBAN) -> str | None:
    try:
        bic = iban.bic
    except SchwiftyException:
        return None
    return str(bic.compact) if bic is not None else None


class ValidateRibForm(CountingFormValidation):
    explanations = {  # noqa: RUF012
        "rib_iban": "utter_explain_rib_iban",
        "rib_bic": "utter_explain_rib_bic",
        "rib_confirmed": "utter_explain_rib_confirmed",
    }

    def name(self) -> str:
        return "validate_rib_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot(OUTCOME_SLOT):
            return []
        needs_bic = tracker.get_slot("rib_iban") and not tracker.get_slot("rib_bic")
        return ["rib_iban", *(["rib_bic"] if needs_bic else []), "rib_confirmed"]

    async def validate_rib_iban(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        try:
            iban = IBAN(find_iban(_text(value)))
        except SchwiftyException:
            return self.reject("rib_iban", dispatcher, tracker, "utter_invalid_iban")
        if not iban.in_sepa_zone:
            return self.reject("rib_iban", dispatcher, tracker, "utter_iban_not_sepa")
        try:
            member = await call_member_portal(
                tracker, dispatcher, lambda me: me.me(), "utter_change_rib"
            )
        except ProcedureStopped as stop:
            return {"rib_iban": None, **stopped_slots(stop)}
        if member.iban_masked and member.iban_masked == mask_iban(str(iban.compact)):
            return self.reject("rib_iban", dispatcher, tracker, "utter_iban_unchanged")
        slots = self.accept("rib_iban", str(iban.compact), tracker)
        bic = derived_bic(iban)
        slots["rib_bic"] = bic
        if bic:
            self._summary(dispatcher, str(iban.compact), bic)
        return slots

    async def validate_rib_bic(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        iban_text = tracker.get_slot("rib_iban") or ""
        try:
            bic = BIC(re.sub(r"\s", "", _text(value)).upper())
        except SchwiftyException:
            return self.reject("rib_bic", dispatcher, tracker, "utter_invalid_bic")
        if bic.country_code != iban_text[:2]:
            return self.reject("rib_bic", dispatcher, tracker, "utter_invalid_bic")
        self._summary(dispatcher, iban_text, str(bic.compact))
        return self.accept("rib_bic", str(bic.compact), tracker)

    async def validate_rib_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self.confirm("rib_confirmed", value, dispatcher, tracker, "utter_rib_not_sent")

    @staticmethod
    def _summary(dispatcher: CollectingDispatcher, iban: str, bic: str) -> None:
        dispatcher.utter_message(response="utter_rib_summary", masked_iban=mask_iban(iban), bic=bic)


class ActionRibSubmit(Action):
    """After ``rib_form``: send the change; explain the code (e-mail or letter)."""

    def name(self) -> str:
        return "action_rib_submit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        iban, bic = tracker.get_slot("rib_iban"), tracker.get_slot("rib_bic")
        if tracker.get_slot(OUTCOME_SLOT) or tracker.get_slot("rib_confirmed") is not True:
            return clear_procedure()
        if not iban or not bic:
            dispatcher.utter_message(response="utter_change_rib")
            return clear_procedure()
        try:
            member = await call_member_portal(
                tracker, dispatcher, lambda me: me.me(), "utter_change_rib"
            )
            holder = f"{member.first_name} {member.last_name}".strip()
            started = await call_member_portal(
                tracker,
                dispatcher,
                lambda me: me.start_rib_change(iban, bic, holder),
                "utter_change_rib",
            )
        except ProcedureStopped as stop:
            return [*stop.events, *clear_procedure()]
        except PortalRejected as rejection:
            dispatcher.utter_message(response="utter_portal_refused", message=rejection.message)
            return clear_procedure()
        if started.code_sent_to == "email" and started.masked_email:
            dispatcher.utter_message(
                response="utter_rib_code_email", masked_email=started.masked_email
            )
        else:
            dispatcher.utter_message(response="utter_rib_code_letter")
        dispatcher.utter_message(response="utter_rib_code_explained")
        return clear_procedure()
