"""Human handoff: a ticket during opening hours, else a callback or the secure messaging.

- ``action_human_handoff``: asks the portal whether the standard is open. Open → creates a
  handoff ticket (summary without personal data) and says what happens next. Closed → offers
  a callback (slot ``handoff_status`` = ``closed``; yes → ``callback_form``; no →
  ``action_callback_declined``: the secure messaging). Portal down → apology, phone and site.
- ``validate_callback_form``: a French phone number (``phonenumbers``, metropolitan and
  overseas), kept in E.164 and only ever echoed masked. Only numbers a person answers
  (:data:`CALLBACK_TYPES`: fixed line, mobile, internet box): a premium-rate, shared-cost or
  other special number would make the fund's advisors pay, or call a service, on demand.
- ``action_create_callback``: creates the callback ticket.
"""

from __future__ import annotations

from typing import Any

import phonenumbers
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import channel_of, french_date, french_time, portal_for
from actions.forms.base import FAILURES_SLOT, CountingFormValidation
from actions.portal_client import PortalError, PortalRejected, PortalUnavailable
from actions.sealed import seal, unseal
from actions.summary import conversation_summary
from carpimko.text import privacy
from portal.contract.support import french_phone

CALLBACK_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        phonenumbers.PhoneNumberType.VOIP,  # 09: the phone line of an internet box
    }
)
STATUS_SLOT = "handoff_status"
FORM_PROMPTS = ("utter_ask_callback_phone",)
"""What callback_form asks (Rasa finds it by name: ``utter_ask_<slot>``)."""


def callback_allowed(e164: str) -> bool:
    """Whether an advisor may call this (valid French) number back: a person's line only."""
    return phonenumbers.number_type(phonenumbers.parse(e164)) in CALLBACK_TYPES


def mask_phone(e164: str) -> str:
    """« +33612345678 » → « 06 ** ** ** 78 »-like: only the first two and last two digits."""
    try:
        national = phonenumbers.format_number(
            phonenumbers.parse(e164, "FR"), phonenumbers.PhoneNumberFormat.NATIONAL
        )
    except phonenumbers.NumberParseException:
        national = e164
    return privacy.mask_phone(national)


def apologise_handoff_down(dispatcher: CollectingDispatcher) -> None:
    """Apology, then the phone hours, the site and the secure messaging (static answer)."""
    dispatcher.utter_message(response="utter_handoff_unavailable")
    dispatcher.utter_message(response="utter_human_handoff")


class ValidateCallbackForm(CountingFormValidation):
    explanations = {"callback_phone": "utter_explain_callback_phone"}  # noqa: RUF012

    def name(self) -> str:
        return "validate_callback_form"

    async def validate_callback_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        phone = french_phone(str(value or ""))
        if phone is None:
            return self.reject("callback_phone", dispatcher, tracker, "utter_invalid_phone")
        if not callback_allowed(phone):
            return self.reject(
                "callback_phone", dispatcher, tracker, "utter_callback_phone_special"
            )
        return self.accept("callback_phone", seal(phone, tracker.sender_id), tracker)


class ActionHumanHandoff(Action):
    def name(self) -> str:
        return "action_human_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            async with portal_for(tracker) as portal:
                info = await portal.contact()
                if not info.open_now:
                    dispatcher.utter_message(
                        response="utter_handoff_closed_offer",
                        hours=info.hours_text,
                        next_opening=f"{french_date(info.next_opening.date())} à "
                        f"{french_time(info.next_opening)}",
                    )
                    return [SlotSet(STATUS_SLOT, "closed")]
                ticket = await portal.create_handoff(
                    tracker.sender_id, channel_of(tracker), conversation_summary(tracker)
                )
        except PortalError:
            apologise_handoff_down(dispatcher)
            return [SlotSet(STATUS_SLOT, None)]
        if channel_of(tracker) == "ivr" and info.phone_e164:
            # Phone line: the IVR channel transfers the call to the advisors' number.
            dispatcher.utter_message(
                response="utter_handoff_created",
                reference=ticket.reference,
                json_message={"ivr": {"transfer": info.phone_e164}},
            )
        else:
            dispatcher.utter_message(response="utter_handoff_created", reference=ticket.reference)
        return [SlotSet(STATUS_SLOT, None)]


class ActionCreateCallback(Action):
    def name(self) -> str:
        return "action_create_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        phone = unseal(tracker.get_slot("callback_phone"), tracker.sender_id)
        done: list[EventType] = [
            SlotSet("callback_phone", None),
            SlotSet(STATUS_SLOT, None),
            SlotSet(FAILURES_SLOT, None),
        ]
        if not phone:
            if tracker.get_slot("callback_phone"):
                dispatcher.utter_message(response="utter_callback_phone_again")
            return done
        try:
            async with portal_for(tracker) as portal:
                ticket = await portal.create_callback(
                    tracker.sender_id, phone, channel_of(tracker), conversation_summary(tracker)
                )
        except PortalUnavailable:
            apologise_handoff_down(dispatcher)
            return done
        except PortalRejected as rejection:
            dispatcher.utter_message(response="utter_portal_refused", message=rejection.message)
            dispatcher.utter_message(response="utter_secure_messaging")
            return done
        dispatcher.utter_message(
            response="utter_callback_created",
            reference=ticket.reference,
            masked_phone=mask_phone(phone),
        )
        return done


class ActionCallbackDeclined(Action):
    def name(self) -> str:
        return "action_callback_declined"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_secure_messaging")
        return [SlotSet(STATUS_SLOT, None)]
