"""Reusable base of the form validation actions (financial-demo pattern).

Each ``validate_<slot>`` returns a dict of slot values. A rejected value goes through
:meth:`CountingFormValidation.reject`, which counts consecutive failures per slot in the
slot ``form_failures`` (a dict, not featurised); the second failure in a row adds an
explanation (``utter_explain_<slot>``) and the offer of an advisor (``utter_offer_advisor``),
then the count starts again. An accepted value resets its count.

A message that is no attempt at the value — a question, « je ne sais pas (encore) » — is
never called invalid nor read as a value (« le médecin me la donne demain » is no end date):
:func:`is_not_a_value` spots it and :meth:`CountingFormValidation.not_an_answer` explains at
once.

The last step of a procedure that changes something is a yes/no confirmation after a summary:
:meth:`CountingFormValidation.confirm` reads the answer the same way for every form.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from carpimko.text.normalize import fold

FAILURES_SLOT = "form_failures"
OUTCOME_SLOT = "procedure_outcome"
"""done / cancelled / unavailable / session / not_applicable: how the running procedure ended."""
EXPLAIN_AFTER = 2

_NOT_A_VALUE = re.compile(r"\?|\b(?:pourquoi|comment|sais pas|connais pas|pas encore)\b")
_YES = ("oui", "ok", "d'accord", "je confirme", "c'est bon", "exact", "volontiers")
_NO = ("non", "pas du tout", "annul", "c'est faux", "erreur")


def is_not_a_value(text: str) -> bool:
    """A question or « je ne sais pas (encore) »: the person did not try to give the value."""
    return bool(_NOT_A_VALUE.search(fold(text)))


def yes_no(value: Any) -> bool | None:
    """True/False from the affirm/deny mapping, or from typed words; None when unclear."""
    if isinstance(value, bool):
        return value
    text = value.strip().lower().replace("’", "'") if isinstance(value, str) else ""
    if text.startswith(_NO) or text in ("n",):
        return False
    if text.startswith(_YES):
        return True
    return None


def failures_of(tracker: Tracker) -> dict[str, int]:
    raw = tracker.get_slot(FAILURES_SLOT)
    return {str(k): int(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


class CountingFormValidation(FormValidationAction, ABC):
    """A ``FormValidationAction`` that explains after two invalid answers in a row."""

    explanations: dict[str, str] = {}  # noqa: RUF012 - read-only, per subclass
    """Response explaining each slot after two failures (default ``utter_explain_<slot>``)."""

    @abstractmethod
    def name(self) -> str:
        """``validate_<form name>``."""

    def reject(
        self,
        slot: str,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        response: str,
        **variables: Any,
    ) -> dict[str, Any]:
        """Say why ``slot``'s value is refused; after 2 in a row, explain and offer an advisor."""
        dispatcher.utter_message(response=response, **variables)
        failures = failures_of(tracker)
        count = failures.get(slot, 0) + 1
        if count >= EXPLAIN_AFTER:
            explanation = self.explanations.get(slot, f"utter_explain_{slot}")
            dispatcher.utter_message(response=explanation)
            dispatcher.utter_message(response="utter_offer_advisor")
            count = 0
        failures[slot] = count
        return {slot: None, FAILURES_SLOT: failures}

    def not_an_answer(
        self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """The message holds nothing that could be the value (« c'est quoi un IBAN ? », « je
        ne sais pas où le trouver »): never « invalide » for a question; the explanation and
        the advisor's offer at once, and the question is asked again."""
        dispatcher.utter_message(response=self.explanations.get(slot, f"utter_explain_{slot}"))
        dispatcher.utter_message(response="utter_offer_advisor")
        failures = failures_of(tracker)
        failures.pop(slot, None)
        return {slot: None, FAILURES_SLOT: failures}

    def accept(self, slot: str, value: Any, tracker: Tracker) -> dict[str, Any]:
        """Keep ``value`` and reset the failure count of ``slot``."""
        failures = failures_of(tracker)
        failures.pop(slot, None)
        return {slot: value, FAILURES_SLOT: failures}

    def confirm(
        self,
        slot: str,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        declined: str,
    ) -> dict[str, Any]:
        """The yes/no after a summary: yes keeps ``True``; no says ``declined`` and ends the
        procedure (``procedure_outcome`` « cancelled »); anything else is asked again."""
        answer = yes_no(value)
        if answer is True:
            return self.accept(slot, True, tracker)
        if answer is False:
            dispatcher.utter_message(response=declined)
            return {slot: False, OUTCOME_SLOT: "cancelled"}
        return self.reject(slot, dispatcher, tracker, "utter_invalid_yes_no")
