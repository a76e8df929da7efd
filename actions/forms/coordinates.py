"""Logged-in changes of e-mail and postal address, on the portal.

E-mail: the portal sends a confirmation link to the new address (the warning about an
accountant's address comes first). Address: street, then postal code and town, a summary to
confirm, then the portal records it and returns a reference.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms.base import is_not_a_value
from actions.forms.member import (
    OUTCOME_SLOT,
    MemberProcedureForm,
    ProcedureStopped,
    call_member_portal,
    clear_procedure,
)
from actions.portal_client import PortalRejected
from carpimko.text.email_address import find_emails, is_valid_email

_CITY = re.compile(r"^\s*(\d{5})\s*,?\s*([A-Za-zÀ-ÖØ-öø-ÿ' -]{2,80})\s*$")
_STREET = re.compile(r"^[0-9A-Za-zÀ-ÖØ-öø-ÿ',./ -]{5,120}$")
_ABOUT_ONESELF = re.compile(r"\bje\b|\bj['’]", re.IGNORECASE)
"""« je ne connais pas encore ma nouvelle adresse »: no street has « je » in it."""
FORM_PROMPTS = (
    "utter_ask_new_email",
    "utter_ask_address_line",
    "utter_ask_address_city",
    "utter_ask_address_confirmed",
)
"""What the forms ask (Rasa finds them by name: ``utter_ask_<slot>``)."""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


class ValidateEmailChangeForm(MemberProcedureForm):
    explanations = {"new_email": "utter_explain_new_email"}  # noqa: RUF012

    def name(self) -> str:
        return "validate_email_change_form"

    async def validate_new_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = _text(value)
        if "@" not in text and is_not_a_value(text):
            return self.not_an_answer("new_email", dispatcher, tracker)
        found = find_emails(text)
        if len(found) != 1 or not is_valid_email(found[0].value):
            return self.reject("new_email", dispatcher, tracker, "utter_invalid_email")
        email = found[0].value
        started, refused = await self.ask_portal(
            "new_email",
            dispatcher,
            tracker,
            lambda me: me.request_email_change(email),
            "utter_change_email",
        )
        if started is None:
            return refused
        dispatcher.utter_message(
            response="utter_email_change_sent", masked_email=started.masked_email
        )
        if started.warning:
            dispatcher.utter_message(response="utter_email_third_party_warning")
        # The slot keeps the masked form only: the full address is not needed any more.
        slots = self.accept("new_email", started.masked_email, tracker)
        slots[OUTCOME_SLOT] = "done"
        return slots


class ValidateAddressForm(MemberProcedureForm):
    explanations = {  # noqa: RUF012
        "address_line": "utter_explain_address_line",
        "address_city": "utter_explain_address_city",
        "address_confirmed": "utter_explain_address_confirmed",
    }

    def name(self) -> str:
        return "validate_address_form"

    async def validate_address_line(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        line = " ".join(_text(value).split())
        if is_not_a_value(line) or _ABOUT_ONESELF.search(line):
            return self.not_an_answer("address_line", dispatcher, tracker)
        if not _STREET.match(line) or not any(c.isalpha() for c in line):
            return self.reject("address_line", dispatcher, tracker, "utter_invalid_address_line")
        return self.accept("address_line", line, tracker)

    async def validate_address_city(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        match = _CITY.match(_text(value))
        if not match:
            return self.reject("address_city", dispatcher, tracker, "utter_invalid_address_city")
        city = f"{match.group(1)} {' '.join(match.group(2).split()).upper()}"
        dispatcher.utter_message(
            response="utter_address_summary", line=tracker.get_slot("address_line") or "", city=city
        )
        return self.accept("address_city", city, tracker)

    async def validate_address_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self.confirm(
            "address_confirmed", value, dispatcher, tracker, "utter_address_not_sent"
        )


class ActionAddressSubmit(Action):
    def name(self) -> str:
        return "action_address_submit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        line, city = tracker.get_slot("address_line"), tracker.get_slot("address_city")
        if tracker.get_slot(OUTCOME_SLOT) or tracker.get_slot("address_confirmed") is not True:
            return clear_procedure()
        postal_code, _, town = (city or "").partition(" ")
        if not line or not town:
            dispatcher.utter_message(response="utter_change_address")
            return clear_procedure()
        try:
            changed = await call_member_portal(
                tracker,
                dispatcher,
                lambda me: me.change_address(line, postal_code, town),
                "utter_change_address",
            )
        except ProcedureStopped as stop:
            return [*stop.events, *clear_procedure()]
        except PortalRejected as rejection:
            dispatcher.utter_message(response="utter_portal_refused", message=rejection.message)
            return clear_procedure()
        response = "utter_address_changed_letter"
        if changed.notification_channel == "email":
            response = "utter_address_changed_email"
        elif changed.letter_held:
            response = "utter_address_changed_letter_held"
        dispatcher.utter_message(response=response, reference=changed.reference)
        return clear_procedure()
