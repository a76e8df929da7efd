"""Password reset and first login: ``reset_form``, its validation and the delivery.

Both intents share one form (slot ``reset_reason`` says which). The form asks the profile,
then the numéro de dossier (7 or 9 digits for either profile: the portal decides),
starts the reset on the portal as soon as both are valid, and asks e-mail or post only when
the portal knows an e-mail (shown masked, with the accountant warning). After the form,
``action_reset_deliver`` asks the portal to send the link or the letter and confirms the
concrete consequence, then states the password rules.

The assistant never asks for, accepts or stores a password.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import channel_of, portal_for
from actions.forms.base import FAILURES_SLOT, CountingFormValidation, yes_no
from actions.portal_client import PortalRejected, PortalUnavailable
from carpimko.procedures import registry
from carpimko.text.normalize import (
    digits_only,
    fold,
    normalize_delivery_channel,
    normalize_dossier_number,
    normalize_profile,
)

PROFILES = ("affilie", "ayant_droit")
FORM_PROMPTS = (
    "utter_ask_profile",
    "utter_ask_dossier_number",
    "utter_ask_postal_code",
    "utter_ask_reset_replace",
    "utter_ask_delivery_channel",
)
"""What the form asks (Rasa finds them by name: ``utter_ask_<slot>``)."""
OUTCOME_SLOT = "reset_outcome"
"""``unavailable`` (portal down), ``refused`` (too many attempts) or ``kept`` (the person keeps
the temporary password or the link already sent): the form stops early."""
PENDING_SLOT = "reset_pending"
"""« courrier » / « email »: what the portal says is pending, which a new request cancels."""
REPLACE_SLOT = "reset_replace"
"""True once the person agreed to replace what is pending (asked only when something is)."""

_RECEIVED = re.compile(r"\b(?:recu|recue|reception|arrive|eu)\b")
_NOT_RECEIVED = re.compile(
    r"\b(?:pas|jamais|rien|toujours)\b(?:\s+\S+){0,3}\s+(?:recu|recue|arrive|eu)\b"
)
_LETTER = re.compile(r"\b(?:provisoire|courrier|lettre)\b")


def holds_a_letter(text: str) -> bool:
    """« J'ai reçu un mot de passe provisoire par courrier, qu'est-ce que j'en fais ? »: the
    person has the letter in hand and asks how to use it. A new request would cancel it."""
    folded = fold(text)
    if _NOT_RECEIVED.search(folded):
        return False
    return bool(_RECEIVED.search(folded) and _LETTER.search(folded))


# --- phone line (issue 7): the second identity factor, asked only on the IVR channel -------
POSTAL_CODE_SLOT = "postal_code"
"""On the phone, the postal code of the dossier's address must match before the masked e-mail
is said or a reset started (the caller's number alone proves nothing)."""

RESET_SLOTS = (*registry().of_form("reset_form").slots, FAILURES_SLOT)
"""What the reset fills (carpimko/procedures.yml): forgotten once the link or letter is sent."""


def _as_text(value: Any) -> str:
    if isinstance(value, list):  # several entities of the same type: take the last one
        value = value[-1] if value else ""
    return str(value) if value is not None else ""


CORRECTIONS = frozenset({"non", "non non", "non merci", "corriger", "erreur", "c'est faux", "faux"})
"""Short answers meaning « the number read back is wrong », whatever the NLU made of them."""


def on_phone(tracker: Tracker) -> bool:
    """The conversation comes from the phone line (IVR channel)."""
    return channel_of(tracker) == "ivr"


def apologise_portal_down(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Apology, then how to do it alone on the site (the procedure of the fund's guides)."""
    dispatcher.utter_message(response="utter_portal_unavailable_reset")
    if on_phone(tracker):  # a caller hears one short turn: retry later or an advisor
        return
    if tracker.get_slot("reset_reason") == "first_login":
        dispatcher.utter_message(response="utter_first_login_steps")
        dispatcher.utter_message(response="utter_first_login_temporary_password")
    else:
        dispatcher.utter_message(response="utter_forgot_password_steps")
        dispatcher.utter_message(response="utter_forgot_password_delivery")


class ValidateResetForm(CountingFormValidation):
    """``validate_reset_form``: one ``validate_<slot>`` per slot."""

    # Where the number is and how many digits, tailored to the profile when known.
    explanations = {  # noqa: RUF012
        "profile": "utter_explain_profile",
        POSTAL_CODE_SLOT: "utter_explain_postal_code",
        "dossier_number": "utter_profile_and_dossier",
        "delivery_channel": "utter_explain_delivery_channel",
        REPLACE_SLOT: "utter_explain_reset_replace",
    }

    def name(self) -> str:
        return "validate_reset_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """A letter already in hand: no new request (it would cancel that password), the form
        ends at once and ``action_reset_deliver`` gives the steps for using it."""
        first_turn = not tracker.get_slot("requested_slot") and not tracker.get_slot("profile")
        text = str(tracker.latest_message.get("text") or "")
        if first_turn and not tracker.get_slot(OUTCOME_SLOT) and holds_a_letter(text):
            kept = [SlotSet(OUTCOME_SLOT, "kept"), SlotSet(PENDING_SLOT, "courrier")]
            tracker.add_slots(kept)
            return [*kept, *await super().run(dispatcher, tracker, domain)]
        return await super().run(dispatcher, tracker, domain)

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        # The portal is down or refused for good: nothing more to ask, the form ends.
        if tracker.get_slot(OUTCOME_SLOT):
            return []
        # Phone: numéro de dossier, then the postal code, before anything personal. In writing
        # the portal's answer is what the real site shows: no second factor.
        skipped = set() if on_phone(tracker) else {POSTAL_CODE_SLOT}
        if not tracker.get_slot(PENDING_SLOT):  # nothing pending: nothing to replace, no question
            skipped.add(REPLACE_SLOT)
        return [slot for slot in domain_slots if slot not in skipped]

    async def validate_reset_replace(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes: go on and replace what is pending. No: nothing is sent, the form ends."""
        answer = yes_no(value)
        if answer is None:
            return self.reject(REPLACE_SLOT, dispatcher, tracker, "utter_invalid_yes_no")
        if answer is False:
            return {REPLACE_SLOT: False, OUTCOME_SLOT: "kept"}
        return self.accept(REPLACE_SLOT, True, tracker)

    async def validate_profile(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        profile = normalize_profile(_as_text(value))
        if profile not in PROFILES:
            return self.reject("profile", dispatcher, tracker, "utter_invalid_profile")
        return self.accept("profile", profile, tracker)

    async def validate_dossier_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        raw = _as_text(value)
        number = normalize_dossier_number(raw)
        profile = tracker.get_slot("profile")
        if number is None:
            digits = digits_only(raw)
            response = "utter_invalid_dossier_length" if digits else "utter_invalid_dossier_format"
            return self.reject(
                "dossier_number", dispatcher, tracker, response, count=str(len(digits))
            )
        # 7 or 9 digits for either profile: never « wrong length for your situation ».
        if profile not in PROFILES:  # profile not known yet: let the form ask it
            return self.accept("dossier_number", number, tracker)
        if on_phone(tracker):  # read back and checked with the postal code first
            slots = self.accept("dossier_number", number, tracker)
            slots[POSTAL_CODE_SLOT] = None
            return slots
        return await self._start_reset(profile, number, dispatcher, tracker)

    async def validate_postal_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Phone only: « non » corrects the number read back; else the postal code must match."""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        said = fold(str(tracker.latest_message.get("text") or "")).strip(" .!")
        if intent == "deny" or said in CORRECTIONS:
            dispatcher.utter_message(response="utter_dossier_correction")
            return {"dossier_number": None, POSTAL_CODE_SLOT: None}
        digits = digits_only(_as_text(value))
        if len(digits) != 5:
            return self.reject(POSTAL_CODE_SLOT, dispatcher, tracker, "utter_invalid_postal_code")
        profile = tracker.get_slot("profile")
        number = tracker.get_slot("dossier_number")
        if profile not in PROFILES or not number:
            return {POSTAL_CODE_SLOT: None}
        try:
            async with portal_for(tracker) as portal:
                verified = await portal.verify_identity(profile, number, digits)
        except PortalUnavailable:
            apologise_portal_down(dispatcher, tracker)
            return {"dossier_number": None, POSTAL_CODE_SLOT: None, OUTCOME_SLOT: "unavailable"}
        except PortalRejected as rejection:
            if rejection.status == 429:
                dispatcher.utter_message(
                    response="utter_identity_too_many_attempts", minutes=rejection.minutes
                )
                return {"dossier_number": None, POSTAL_CODE_SLOT: None, OUTCOME_SLOT: "refused"}
            return self.reject(
                POSTAL_CODE_SLOT,
                dispatcher,
                tracker,
                "utter_portal_refused",
                message=rejection.message,
            )
        if not verified:
            return self.reject(POSTAL_CODE_SLOT, dispatcher, tracker, "utter_identity_mismatch")
        slots = await self._start_reset(profile, number, dispatcher, tracker)
        if slots.get("dossier_number"):
            slots[POSTAL_CODE_SLOT] = digits
            failures = slots.get(FAILURES_SLOT)
            if isinstance(failures, dict):
                failures.pop(POSTAL_CODE_SLOT, None)
        else:
            slots[POSTAL_CODE_SLOT] = None
        return slots

    async def _start_reset(
        self, profile: str, number: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        try:
            async with portal_for(tracker) as portal:
                started = await portal.start_reset(profile, number)
        except PortalUnavailable:
            apologise_portal_down(dispatcher, tracker)
            return {"dossier_number": None, OUTCOME_SLOT: "unavailable"}
        except PortalRejected as rejection:
            if rejection.status == 404:
                # Same words as the real site: no hint whether the number or the profile is wrong.
                return self.reject("dossier_number", dispatcher, tracker, "utter_reset_unknown")
            if rejection.status == 429:
                dispatcher.utter_message(
                    response="utter_reset_too_many_attempts", minutes=rejection.minutes
                )
                return {"dossier_number": None, OUTCOME_SLOT: "refused"}
            return self.reject(
                "dossier_number",
                dispatcher,
                tracker,
                "utter_portal_refused",
                message=rejection.message,
            )
        slots = self.accept("dossier_number", number, tracker)
        slots.update(
            reset_id=started.reset_id,
            reset_masked_email=started.masked_email,
            reset_channels=list(started.channels),
        )
        slots[PENDING_SLOT] = started.pending
        if not started.email_possible:
            if not started.pending:  # else the question about what is pending comes first
                dispatcher.utter_message(response="utter_reset_post_only")
            slots["delivery_channel"] = "courrier"
        return slots

    async def validate_delivery_channel(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        channel = normalize_delivery_channel(_as_text(value))
        offered = tracker.get_slot("reset_channels") or ["courrier"]
        if channel not in ("email", "courrier"):
            return self.reject(
                "delivery_channel", dispatcher, tracker, "utter_invalid_delivery_channel"
            )
        if channel not in offered:
            dispatcher.utter_message(response="utter_reset_post_only")
            channel = "courrier"
        return self.accept("delivery_channel", channel, tracker)


class ActionResetDeliver(Action):
    """After ``reset_form``: send the link or the letter, confirm, state the password rules."""

    def name(self) -> str:
        return "action_reset_deliver"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        outcome = tracker.get_slot(OUTCOME_SLOT)
        reset_id = tracker.get_slot("reset_id")
        channel = tracker.get_slot("delivery_channel")
        done = [SlotSet(name, None) for name in RESET_SLOTS]
        if outcome == "kept":  # nothing requested: how to use what the person already has
            if tracker.get_slot(REPLACE_SLOT) is False:
                dispatcher.utter_message(response="utter_reset_nothing_requested")
            if tracker.get_slot(PENDING_SLOT) == "email":
                dispatcher.utter_message(response="utter_reset_link_steps")
            else:
                dispatcher.utter_message(response="utter_first_login_temporary_password")
            return done
        if outcome or not reset_id or channel not in ("email", "courrier"):
            if not outcome:  # defensive: the form ended without a reset to deliver
                apologise_portal_down(dispatcher, tracker)
            return done
        try:
            async with portal_for(tracker) as portal:
                delivery = await portal.deliver_reset(reset_id, channel)
        except PortalUnavailable:
            apologise_portal_down(dispatcher, tracker)
            return done
        except PortalRejected as rejection:
            dispatcher.utter_message(response="utter_portal_refused", message=rejection.message)
            dispatcher.utter_message(response="utter_reset_restart")
            return done
        if delivery.channel == "email":
            dispatcher.utter_message(
                response="utter_reset_email_sent",
                masked_email=delivery.masked_email or tracker.get_slot("reset_masked_email"),
            )
            if not on_phone(tracker):  # the phone wording already says it, without the URL
                dispatcher.utter_message(response="utter_reset_link_steps")
            dispatcher.utter_message(response="utter_password_rules")
        elif delivery.letter_held:
            # Over the portal's hourly cap: recorded, a person checks it first (no delay given).
            dispatcher.utter_message(response="utter_reset_letter_held")
            dispatcher.utter_message(response="utter_first_login_temporary_password")
        else:
            # The fund's delay, not a computed date; then how to use the letter once it comes.
            dispatcher.utter_message(response="utter_reset_letter_sent")
            dispatcher.utter_message(response="utter_first_login_temporary_password")
        return done
