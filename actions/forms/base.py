"""Reusable base of the form validation actions (financial-demo pattern).

Each ``validate_<slot>`` returns a dict of slot values. A rejected value goes through
:meth:`CountingFormValidation.reject`, which counts consecutive failures per slot in the
slot ``form_failures`` (a dict, not featurised); the second failure in a row adds an
explanation (``utter_explain_<slot>``) and the offer of an advisor (``utter_offer_advisor``),
then the count starts again. An accepted value resets its count.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

FAILURES_SLOT = "form_failures"
EXPLAIN_AFTER = 2


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

    def accept(self, slot: str, value: Any, tracker: Tracker) -> dict[str, Any]:
        """Keep ``value`` and reset the failure count of ``slot``."""
        failures = failures_of(tracker)
        failures.pop(slot, None)
        return {slot: value, FAILURES_SLOT: failures}
