"""Logged-in déclarations for the Invalidité-Décès service: majoration « enfant majeur » and
reprise d'activité (temps complet or thérapeutique).

Each form first checks with the portal that the démarche applies to the member (a benefit is
paid for the majoration; the reprise concerns affiliés), so nobody answers four questions to be
refused at the end. Then it asks what the portal needs, shows a summary, asks yes/no, and the
submit action files it and gives the reference and what happens next.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import french_date
from actions.config import load_settings
from actions.forms.base import FAILURES_SLOT, is_not_a_value
from actions.forms.member import (
    OUTCOME_SLOT,
    MemberProcedureForm,
    ProcedureStopped,
    call_member_portal,
    clear_procedure,
)
from actions.forms.periods import fold, parse_day
from actions.member_portal import MemberPortal
from actions.portal_client import DeclarationFiled, Member, PortalRejected

FORM_PROMPTS = (
    "utter_ask_child_first_name",
    "utter_ask_child_situation",
    "utter_ask_child_birth_date",
    "utter_ask_child_confirmed",
    "utter_ask_resume_type",
    "utter_ask_resume_date",
    "utter_ask_resume_confirmed",
)
"""What the forms ask (Rasa finds them by name: ``utter_ask_<slot>``)."""

CHILD_SITUATIONS = {
    "etudes": ("etud", "ecole", "lycee", "fac", "univers", "scolar", "bts", "master", "licence"),
    "apprentissage": ("apprenti", "alternance", "alternant"),
    "recherche_emploi": ("emploi", "chomage", "france travail", "pole", "cherche du travail"),
    "handicap": ("handicap", "mdph", "aah", "invalid"),
}
SITUATION_LABELS = {
    "etudes": "poursuit des études",
    "apprentissage": "est en apprentissage",
    "recherche_emploi": "recherche un emploi",
    "handicap": "est en situation de handicap",
}
RESUME_TYPES = {
    "temps_complet": ("complet", "plein", "100", "totale", "normal"),
    "therapeutique": ("therap", "mi-temps", "mi temps", "partiel", "tpt", "progressi"),
}
RESUME_LABELS = {"temps_complet": "à temps complet", "therapeutique": "à des fins thérapeutiques"}
RESUME_NEXT_STEPS = {
    "temps_complet": "utter_resume_next_temps_complet",
    "therapeutique": "utter_resume_next_therapeutique",
}
_NAME_PREFIX = re.compile(
    r"^(?:(?:il|elle)\s+s'appelle|son\s+prenom\s+(?:est|c'est)|(?:le\s+)?prenom\s*:?|c'est)\s+"
)
_FIRST_NAME = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿ]+(?:[ '-][A-Za-zÀ-ÖØ-öø-ÿ]+){0,2}$")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def today() -> date:
    return datetime.now(load_settings().timezone).date()


def _keyword_choice(text: str, choices: dict[str, tuple[str, ...]]) -> str | None:
    """The one choice whose key or words the answer contains; None if none or several."""
    folded = fold(text).strip()
    if folded in choices:
        return folded
    hits = [key for key, words in choices.items() if any(w in folded for w in words)]
    return hits[0] if len(hits) == 1 else None


class DeclarationForm(MemberProcedureForm):
    """A form that first asks the portal whether the démarche applies to this member."""

    unavailable_response: str
    """Where to do it by oneself, said when the portal cannot be reached."""
    not_applicable_response: str
    """Why the démarche does not concern this member, and whom to write to instead."""

    @abstractmethod
    def applies_to(self, member: Member) -> bool:
        """Whether the démarche concerns this member."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("requested_slot") or tracker.get_slot(OUTCOME_SLOT):
            return await super().run(dispatcher, tracker, domain)
        # Activation: one look at the member before the first question. The fresh failure count
        # also tells Rasa the activation was validated (no second call before the question).
        try:
            member = await call_member_portal(
                tracker, dispatcher, lambda me: me.me(), self.unavailable_response
            )
        except ProcedureStopped as stop:
            return [*stop.events, SlotSet("requested_slot", None)]
        if not self.applies_to(member):
            dispatcher.utter_message(response=self.not_applicable_response)
            return [SlotSet(OUTCOME_SLOT, "not_applicable"), SlotSet("requested_slot", None)]
        events = await super().run(dispatcher, tracker, domain)
        return [SlotSet(FAILURES_SLOT, {}), *events]


class ValidateAdultChildForm(DeclarationForm):
    """Prénom, situation, date de naissance of the child; summary; yes/no."""

    unavailable_response = "utter_adult_child_increase"
    not_applicable_response = "utter_adult_child_form_not_applicable"
    explanations = {  # noqa: RUF012
        "child_first_name": "utter_explain_child_first_name",
        "child_situation": "utter_explain_child_situation",
        "child_birth_date": "utter_explain_child_birth_date",
        "child_confirmed": "utter_explain_child_confirmed",
    }

    def name(self) -> str:
        return "validate_adult_child_form"

    def applies_to(self, member: Member) -> bool:
        return bool(member.benefit)

    async def validate_child_first_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = " ".join(_text(value).replace("’", "'").split()).strip(" .!")
        prefix = _NAME_PREFIX.match(fold(text))  # folding keeps the length of Latin names
        name = text[prefix.end() :] if prefix else text
        if not 2 <= len(name) <= 40 or not _FIRST_NAME.match(name):
            return self.reject(
                "child_first_name", dispatcher, tracker, "utter_invalid_child_first_name"
            )
        return self.accept("child_first_name", name.title(), tracker)

    async def validate_child_situation(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        situation = _keyword_choice(_text(value), CHILD_SITUATIONS)
        if situation is None:
            return self.reject(
                "child_situation", dispatcher, tracker, "utter_invalid_child_situation"
            )
        return self.accept("child_situation", situation, tracker)

    async def validate_child_birth_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = _text(value)
        if is_not_a_value(text):
            return self.not_an_answer("child_birth_date", dispatcher, tracker)
        current = today()
        birth = parse_day(text, current, year_required=True)
        if birth is None or birth >= current or birth.year < current.year - 100:
            return self.reject(
                "child_birth_date", dispatcher, tracker, "utter_invalid_child_birth_date"
            )
        # No age rule here: the fund published none, the portal decides and gives its reason.
        situation = tracker.get_slot("child_situation")
        dispatcher.utter_message(
            response="utter_adult_child_summary",
            first_name=tracker.get_slot("child_first_name") or "",
            situation=SITUATION_LABELS.get(situation or "", ""),
            birth_date=french_date(birth),
        )
        return self.accept("child_birth_date", birth.isoformat(), tracker)

    async def validate_child_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self.confirm(
            "child_confirmed", value, dispatcher, tracker, "utter_adult_child_not_sent"
        )


class ValidateResumeWorkForm(DeclarationForm):
    """Temps complet or thérapeutique, the date of the reprise; summary; yes/no."""

    unavailable_response = "utter_resume_work"
    not_applicable_response = "utter_resume_work_form_not_applicable"
    explanations = {  # noqa: RUF012
        "resume_type": "utter_explain_resume_type",
        "resume_date": "utter_explain_resume_date",
        "resume_confirmed": "utter_explain_resume_confirmed",
    }

    def name(self) -> str:
        return "validate_resume_work_form"

    def applies_to(self, member: Member) -> bool:
        return member.profile == "affilie"

    async def validate_resume_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        kind = _keyword_choice(_text(value), RESUME_TYPES)
        if kind is None:
            return self.reject("resume_type", dispatcher, tracker, "utter_invalid_resume_type")
        return self.accept("resume_type", kind, tracker)

    async def validate_resume_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = _text(value)
        if is_not_a_value(text):
            return self.not_an_answer("resume_date", dispatcher, tracker)
        current = today()
        day = parse_day(text, current)
        if day is None:
            return self.reject("resume_date", dispatcher, tracker, "utter_invalid_resume_date")
        # No date window here: the fund published none, the portal decides and gives its reason.
        dispatcher.utter_message(
            response="utter_resume_summary",
            resume_label=RESUME_LABELS.get(tracker.get_slot("resume_type") or "", ""),
            resume_date=french_date(day),
        )
        return self.accept("resume_date", day.isoformat(), tracker)

    async def validate_resume_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self.confirm("resume_confirmed", value, dispatcher, tracker, "utter_resume_not_sent")


def _slot_day(tracker: Tracker, slot: str) -> date | None:
    try:
        return date.fromisoformat(tracker.get_slot(slot) or "")
    except ValueError:
        return None


Filing = Callable[[MemberPortal], Awaitable[DeclarationFiled]]


class DeclarationSubmit(Action, ABC):
    """After a confirmed declaration form: file it on the portal, then say what comes next."""

    confirmed_slot: str
    fallback_response: str
    """Where to do it by oneself (portal down, or the form's answers are missing)."""

    @abstractmethod
    def filing(self, tracker: Tracker) -> Filing | None:
        """The portal call built from the form's slots; None when they are incomplete."""

    @abstractmethod
    def announce(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, filed: DeclarationFiled
    ) -> None:
        """The reference and what happens next."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot(OUTCOME_SLOT) or tracker.get_slot(self.confirmed_slot) is not True:
            return clear_procedure()
        filing = self.filing(tracker)
        if filing is None:
            dispatcher.utter_message(response=self.fallback_response)
            return clear_procedure()
        try:
            filed = await call_member_portal(tracker, dispatcher, filing, self.fallback_response)
        except ProcedureStopped as stop:
            return [*stop.events, *clear_procedure()]
        except PortalRejected as rejection:
            dispatcher.utter_message(response="utter_portal_refused", message=rejection.message)
            dispatcher.utter_message(response="utter_offer_advisor")
            return clear_procedure()
        self.announce(dispatcher, tracker, filed)
        dispatcher.utter_message(response="utter_anything_else")
        return clear_procedure()


class ActionAdultChildSubmit(DeclarationSubmit):
    """After ``adult_child_form``: reference, the document to send and where."""

    confirmed_slot = "child_confirmed"
    fallback_response = "utter_adult_child_increase"

    def name(self) -> str:
        return "action_adult_child_submit"

    def filing(self, tracker: Tracker) -> Filing | None:
        name = tracker.get_slot("child_first_name")
        situation = tracker.get_slot("child_situation")
        birth = _slot_day(tracker, "child_birth_date")
        if not name or situation not in CHILD_SITUATIONS or birth is None:
            return None
        return lambda me: me.request_adult_child_increase(name, birth, situation)

    def announce(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, filed: DeclarationFiled
    ) -> None:
        dispatcher.utter_message(
            response="utter_adult_child_sent",
            reference=filed.reference,
            service=filed.service_label,
        )
        documents = ", ".join(filed.documents_to_send) or "les justificatifs demandés"
        dispatcher.utter_message(response="utter_adult_child_next", documents=documents)


class ActionResumeWorkSubmit(DeclarationSubmit):
    """After ``resume_work_form``: reference and what happens next."""

    confirmed_slot = "resume_confirmed"
    fallback_response = "utter_resume_work"

    def name(self) -> str:
        return "action_resume_work_submit"

    def filing(self, tracker: Tracker) -> Filing | None:
        kind = tracker.get_slot("resume_type")
        day = _slot_day(tracker, "resume_date")
        if kind not in RESUME_TYPES or day is None:
            return None
        return lambda me: me.declare_work_resumption(kind, day)

    def announce(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, filed: DeclarationFiled
    ) -> None:
        kind = tracker.get_slot("resume_type")
        dispatcher.utter_message(
            response="utter_resume_sent",
            reference=filed.reference,
            resume_label=RESUME_LABELS[kind],
            resume_date=french_date(_slot_day(tracker, "resume_date") or today()),
            service=filed.service_label,
        )
        dispatcher.utter_message(response=RESUME_NEXT_STEPS[kind])
