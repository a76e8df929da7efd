"""``action_contact``: phone, hours, open-now state and address from the portal (one source)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import french_date, french_time, portal_for
from actions.portal_client import ContactInfo, PortalError


def open_state(info: ContactInfo) -> str:
    """« ouvert » sentence or the next opening, in French, Paris time."""
    if info.open_now:
        hour, _, minute = info.closes.partition(":")
        return f"Le standard est ouvert en ce moment, jusqu'à {int(hour)} h {minute}."
    moment = info.next_opening
    return (
        "Le standard est fermé en ce moment. Prochaine ouverture : "
        f"{french_date(moment.date())} à {french_time(moment)}."
    )


class ActionContact(Action):
    def name(self) -> str:
        return "action_contact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            async with portal_for(tracker) as portal:
                info = await portal.contact()
        except PortalError:
            # Apology, then the static details (phone hours, site, secure messaging).
            dispatcher.utter_message(response="utter_contact_fallback")
            dispatcher.utter_message(response="utter_contact")
            return []
        dispatcher.utter_message(
            response="utter_contact_details",
            phone=info.phone,
            hours=info.hours_text,
            open_state=open_state(info),
            address=info.address,
        )
        return []
