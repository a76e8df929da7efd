"""Greeting: says « Bonjour » or « Bonsoir » by the fund's local time, then offers the menu."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.config import load_settings


def greeting_response(now: datetime, evening_starts_at_hour: int) -> str:
    """Name of the greeting response that fits the local hour of ``now``."""
    return "utter_greet_evening" if now.hour >= evening_starts_at_hour else "utter_greet_day"


class ActionGreetUser(Action):
    """Greets in the fund's time zone (the user may be anywhere) and shows the menu."""

    def name(self) -> str:
        return "action_greet_user"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        settings = load_settings()
        now = datetime.now(settings.timezone)
        dispatcher.utter_message(response=greeting_response(now, settings.evening_starts_at_hour))
        dispatcher.utter_message(response="utter_menu")
        return []
