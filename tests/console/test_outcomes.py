"""The list columns derived from Rasa events: channel, identity, intents, outcome, handoff."""

from __future__ import annotations

from typing import Any

from console.conversations import summarize


def user(intent: str, channel: str = "socketio", **extra: Any) -> dict[str, Any]:
    return {
        "event": "user",
        "timestamp": 10.0,
        "text": "…",
        "input_channel": channel,
        "parse_data": {"intent": {"name": intent, "confidence": 1.0}},
        **extra,
    }


def action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name, "timestamp": 11.0}


def loop(name: str | None) -> dict[str, Any]:
    return {"event": "active_loop", "name": name, "timestamp": 12.0}


def bot(response: str) -> dict[str, Any]:
    return {"event": "bot", "text": "…", "metadata": {"utter_action": response}, "timestamp": 13.0}


FORM_START = [user("forgot_password"), action("reset_form"), loop("reset_form")]


def test_form_that_ends_by_itself_is_completed() -> None:
    events = [
        *FORM_START,
        user("inform"),
        action("reset_form"),
        loop(None),
        bot("utter_reset_email_sent"),
    ]
    assert summarize("a", events).outcome == "completed"


def test_stop_in_a_form_is_abandoned() -> None:
    events = [*FORM_START, user("stop"), action("action_deactivate_loop"), loop(None)]
    assert summarize("a", events).outcome == "abandoned"


def test_leaving_in_the_middle_is_abandoned() -> None:
    assert summarize("a", FORM_START).outcome == "abandoned"


def test_portal_down_during_the_form_is_abandoned() -> None:
    events = [
        *FORM_START,
        {"event": "slot", "name": "reset_outcome", "value": "unavailable"},
        loop(None),
    ]
    assert summarize("a", events).outcome == "abandoned"


def test_refusal_right_after_the_form_is_abandoned() -> None:
    events = [*FORM_START, action("reset_form"), loop(None), bot("utter_portal_refused")]
    assert summarize("a", events).outcome == "abandoned"


def test_handoff_wins_over_a_completed_procedure() -> None:
    events = [*FORM_START, loop(None), user("human_handoff"), action("action_human_handoff")]
    summary = summarize("a", events)
    assert summary.outcome == "handed_off" and summary.handoff


def test_questions_only_is_information() -> None:
    summary = summarize("a", [user("contact", "ivr"), action("action_contact")])
    assert (summary.outcome, summary.channel, summary.intents) == ("none", "ivr", ["contact"])


def test_identity_from_the_portal_token_or_an_identity_slot() -> None:
    assert summarize("a", [user("greet", metadata={"portal_token": "t"})]).authenticated
    slot = {"event": "slot", "name": "authenticated", "value": True}
    assert summarize("a", [user("greet"), slot]).authenticated
    assert not summarize("a", [user("greet", metadata={})]).authenticated
