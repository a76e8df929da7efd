"""Low NLU confidence: « Vouliez-vous dire… ? » with the likeliest intents as buttons; a second
unclear message in a row gets the advisor offer instead. Button titles are domain responses
(``utter_label_<intent>``), so the wording stays in domain.yml."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

FALLBACK_INTENT = "nlu_fallback"
NOT_SUGGESTED = {FALLBACK_INTENT, "out_of_scope", "inform", "affirm", "deny", "stop", "greet",
                 "goodbye", "thank"}  # fmt: skip
MAX_SUGGESTIONS = 3
LABEL_PREFIX = "utter_label_"
"""An intent may be suggested when the domain has its button title, ``utter_label_<intent>``."""
OTHER_LABEL = "utter_label_none"


def label(domain: DomainDict, response: str | None) -> str | None:
    variants = (domain.get("responses") or {}).get(response or "") or []
    text = variants[0].get("text") if variants and isinstance(variants[0], dict) else None
    return text if isinstance(text, str) and text else None


def suggestions(tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
    ranking = tracker.latest_message.get("intent_ranking") or []
    buttons: list[dict[str, Any]] = []
    for candidate in ranking:
        name = candidate.get("name")
        title = label(domain, LABEL_PREFIX + name) if isinstance(name, str) else None
        if name in NOT_SUGGESTED or title is None:
            continue
        buttons.append({"title": title, "payload": f"/{name}"})
        if len(buttons) == MAX_SUGGESTIONS:
            break
    return buttons


def previous_user_intent(tracker: Tracker) -> str | None:
    users = [e for e in tracker.events if e.get("event") == "user"]
    if len(users) < 2:
        return None
    return ((users[-2].get("parse_data") or {}).get("intent") or {}).get("name")


class ActionSuggestIntents(Action):
    def name(self) -> str:
        return "action_suggest_intents"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        buttons = suggestions(tracker, domain)
        if previous_user_intent(tracker) == FALLBACK_INTENT or not buttons:
            dispatcher.utter_message(response="utter_default")
            dispatcher.utter_message(response="utter_offer_advisor_after_fallback")
            return []
        buttons.append({"title": label(domain, OTHER_LABEL) or "Autre chose", "payload": "/help"})
        dispatcher.utter_message(response="utter_did_you_mean", buttons=buttons)
        return []


class ActionInformNoContext(Action):
    """``inform`` outside any form: a value (number, profile, e-mail…) is acknowledged and the
    menu shown; a message with no value in it (« banane », « c'est quoi le numéro ») was not
    understood: the fallback's words, never « Merci » for an information nobody gave."""

    def name(self) -> str:
        return "action_inform_no_context"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not tracker.latest_message.get("entities"):
            dispatcher.utter_message(response="utter_default")
        else:
            dispatcher.utter_message(response="utter_inform_no_context")
        dispatcher.utter_message(response="utter_menu")
        return []
