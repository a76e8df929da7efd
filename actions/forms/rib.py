"""Logged-in change of RIB: IBAN checked with schwifty, masked summary, yes/no, then the portal
sends a confirmation code (e-mail or letter) that the member types in the Espace Personnel.

The full IBAN is kept in the slot only sealed (:mod:`actions.sealed`) until the request is sent,
and never shown unmasked. Whether it is the one already on file is asked to the portal, which
compares the full values, as soon as it is typed.
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
from actions.sealed import seal, unseal
from carpimko.text.iban import find_ibans, mask_iban, normalize_iban

FORM_PROMPTS = ("utter_ask_rib_iban", "utter_ask_rib_bic", "utter_ask_rib_confirmed")
"""What the form asks (Rasa finds them by name: ``utter_ask_<slot>``)."""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def find_iban(text: str) -> str:
    """The IBAN-looking part of a message, compacted (« mon iban est FR76 3000 … »)."""
    found = find_ibans(text)
    return found[0].value if found else normalize_iban(text)


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
        text = _text(value)
        if not re.search(r"\d", text):  # a question, « je ne sais pas »: no attempt
            return self.not_an_answer("rib_iban", dispatcher, tracker)
        try:
            iban = IBAN(find_iban(text))
        except SchwiftyException:
            return self.reject("rib_iban", dispatcher, tracker, "utter_invalid_iban")
        if not iban.in_sepa_zone:
            return self.reject("rib_iban", dispatcher, tracker, "utter_iban_not_sepa")
        compact = str(iban.compact)
        try:
            unchanged = await call_member_portal(
                tracker, dispatcher, lambda me: me.is_current_iban(compact), "utter_change_rib"
            )
        except ProcedureStopped as stop:
            return {"rib_iban": None, **stopped_slots(stop)}
        except PortalRejected:
            return self.reject("rib_iban", dispatcher, tracker, "utter_invalid_iban")
        if unchanged:
            return self.reject("rib_iban", dispatcher, tracker, "utter_iban_unchanged")
        slots = self.accept("rib_iban", seal(compact, tracker.sender_id), tracker)
        bic = derived_bic(iban)
        slots["rib_bic"] = bic
        if bic:
            self._summary(dispatcher, compact, bic)
        return slots

    async def validate_rib_bic(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        iban_text = unseal(tracker.get_slot("rib_iban"), tracker.sender_id)
        if iban_text is None:
            dispatcher.utter_message(response="utter_rib_iban_again")
            return {"rib_iban": None, "rib_bic": None}
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
        iban = unseal(tracker.get_slot("rib_iban"), tracker.sender_id)
        bic = tracker.get_slot("rib_bic")
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
        elif started.letter_held:
            dispatcher.utter_message(response="utter_rib_code_letter_held")
        else:
            dispatcher.utter_message(response="utter_rib_code_letter")
        dispatcher.utter_message(response="utter_rib_code_explained")
        return clear_procedure()
