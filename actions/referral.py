"""Questions for other bodies: « ce n'est pas une démarche de la CARPIMKO » + where to go.

The body and the place come from the referrals table of carpimko/facts.yml (site names, no
phone numbers). When no row matches, the assistant does not guess that the question belongs
elsewhere: it says it does not know and offers the menu or an advisor.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from carpimko.facts import find_referral


class ActionRefer(Action):
    """``action_refer``: after ``out_of_scope``, the right door or an honest « je ne sais pas »."""

    def name(self) -> str:
        return "action_refer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        referral = find_referral(str(tracker.latest_message.get("text") or ""))
        if referral is None:
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        dispatcher.utter_message(
            response="utter_referral", body=referral.body, where=referral.where
        )
        return []
