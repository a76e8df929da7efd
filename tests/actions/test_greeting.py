"""The greeting action, run through the real rasa-sdk executor as the action server does."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk.executor import ActionExecutor

from actions.greeting import greeting_response

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("hour", "expected"),
    [
        (8, "utter_greet_day"),
        (17, "utter_greet_day"),
        (18, "utter_greet_evening"),
        (23, "utter_greet_evening"),
    ],
)
def test_greeting_follows_the_local_hour(hour: int, expected: str) -> None:
    assert greeting_response(datetime(2026, 11, 23, hour, 5, tzinfo=PARIS), 18) == expected


async def test_action_server_greets_then_offers_the_menu() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    request = {
        "next_action": "action_greet_user",
        "sender_id": "test-user",
        "tracker": {
            "sender_id": "test-user",
            "slots": {},
            "latest_message": {"text": "bonjour", "intent": {"name": "greet"}},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
        "domain": {},
        "version": "3.6.2",
    }
    result = await executor.run(request)
    assert result is not None
    responses = [r["response"] for r in result["responses"]]
    assert responses[0] in {"utter_greet_day", "utter_greet_evening"}
    assert responses[1] == "utter_menu"
    assert result["events"] == []
