"""Privacy on every user message: the password warning.

Rasa runs ``action_validate_slot_mappings`` (when it is in the domain's actions) after every
user message, and keeps the messages it utters. The NLU component
``carpimko.nlu.privacy.PasswordRedactor`` has already replaced the password in the parse data
and set ``password_redacted``; this action tells the user not to share it, whatever the
dialogue does next. It also validates global slots (none need it today).
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

REDACTED_FLAG = "password_redacted"  # same name as carpimko.nlu.privacy.REDACTED_FLAG


def password_was_shared(tracker: Tracker) -> bool:
    return bool(tracker.latest_message.get(REDACTED_FLAG))


class ValidateSlotMappings(ValidationAction):
    """``action_validate_slot_mappings``: warns when the last message held a password."""

    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if password_was_shared(tracker):
            dispatcher.utter_message(response="utter_password_warning")
        return await super().run(dispatcher, tracker, domain)
