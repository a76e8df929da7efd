"""``action_cancel_procedure``: after ``stop`` in a form, forget its slots and confirm.
``action_drop_procedure``: a new question replaced the form, forget its slots silently."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms.base import FAILURES_SLOT
from actions.forms.member import MEMBER_PROCEDURE_SLOTS
from actions.forms.reset import RESET_SLOTS

PROCEDURE_SLOTS = (
    *RESET_SLOTS,
    "reset_reason",
    "callback_phone",
    "handoff_status",
    *MEMBER_PROCEDURE_SLOTS,
    FAILURES_SLOT,
)


class ActionCancelProcedure(Action):
    def name(self) -> str:
        return "action_cancel_procedure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_procedure_cancelled")
        names = dict.fromkeys(PROCEDURE_SLOTS)  # ordered, without duplicates
        return [SlotSet(name, None) for name in names]


class ActionDropProcedure(Action):
    """The person asked something else in the middle of a form (data/rules/trust.yml): the
    form was ended, its slots are forgotten without a word, and the new question is answered."""

    def name(self) -> str:
        return "action_drop_procedure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return [SlotSet(name, None) for name in dict.fromkeys(PROCEDURE_SLOTS)]
