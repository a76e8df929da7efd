"""``action_cancel_procedure``: after ``stop`` in a form, forget its slots and confirm.
``action_drop_procedure``: a new question replaced the form, forget its slots silently."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from carpimko.procedures import registry
from carpimko.text.normalize import fold

PROCEDURE_SLOTS = registry().all_slots()
"""Every slot any procedure fills (carpimko/procedures.yml): what ending a form forgets."""


def chose_franceconnect(tracker: Tracker) -> bool:
    """A stop that names FranceConnect as the way in instead (the FranceConnect intent has
    its own rule, which already gives the steps)."""
    message = tracker.latest_message
    said = fold(str(message.get("text") or "")).replace(" ", "")
    return (message.get("intent") or {}).get("name") == "stop" and "franceconnect" in said


class ActionCancelProcedure(Action):
    def name(self) -> str:
        return "action_cancel_procedure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_procedure_cancelled")
        if chose_franceconnect(tracker):  # « laissez tomber, je passerai par FranceConnect »
            dispatcher.utter_message(response="utter_franceconnect")
        return [SlotSet(name, None) for name in PROCEDURE_SLOTS]


class ActionDropProcedure(Action):
    """The person asked something else in the middle of a form (data/rules/trust.yml): the
    form was ended, its slots are forgotten without a word, and the new question is answered."""

    def name(self) -> str:
        return "action_drop_procedure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return [SlotSet(name, None) for name in PROCEDURE_SLOTS]
