"""``action_explain_why``: « pourquoi vous me demandez ça ? » gets the reason of the question.

A digression of every form (carpimko/procedures.yml): the reason of the slot being asked
(``utter_why_<slot>``; the confirmations share ``utter_why_confirmed``; any other slot gets
``utter_why_asked``), then the form asks its question again. Outside a form, nothing is being
asked, and the assistant says so rather than guess what « ça » is.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

CONFIRMATION_SUFFIX = "_confirmed"
WHY_PREFIX = "utter_why_"
"""Per slot: ``utter_why_<slot>`` (a family of responses, see scripts/validate_data.py)."""


def why_response(slot: str | None, responses: dict[str, object]) -> str:
    """The response giving the reason for asking ``slot`` (None: nothing is being asked)."""
    if not slot:
        return "utter_why_nothing_asked"
    own = WHY_PREFIX + slot
    if own in responses:
        return own
    return "utter_why_confirmed" if slot.endswith(CONFIRMATION_SUFFIX) else "utter_why_asked"


class ActionExplainWhy(Action):
    def name(self) -> str:
        return "action_explain_why"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        slot = tracker.get_slot("requested_slot") if tracker.active_loop_name else None
        dispatcher.utter_message(response=why_response(slot, domain.get("responses") or {}))
        return []
