"""The action server's answers are accepted or refused exactly as Rasa's own check does, with
the validator built once (carpimko/action_validation.py)."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from carpimko import action_validation

ORIGINAL = RemoteAction._validate_action_result
ANSWERS: dict[str, dict[str, Any]] = {
    "slots and a message": {
        "events": [
            {"event": "slot", "name": "dossier_number", "value": "1234567", "timestamp": None},
            {"event": "active_loop", "name": "reset_form"},
            {"event": "followup", "name": "action_listen"},
        ],
        "responses": [{"response": "utter_ask_delivery_channel", "masked_email": "j***@e.fr"}],
    },
    "nothing": {},
    "empty lists": {"events": [], "responses": []},
    "unknown event type": {"events": [{"event": "no_such_event"}]},
    "slot without name": {"events": [{"event": "slot", "value": 3}]},
    "events not a list": {"events": {"event": "slot"}},
    "response not an object": {"responses": ["utter_greet"]},
}


def outcome(check: Any, answer: dict[str, Any]) -> tuple[bool, str]:
    try:
        return check(RemoteAction("action_x", None), answer), ""
    except ValidationError as error:
        return False, error.message


@pytest.mark.parametrize("name", ANSWERS)
def test_same_verdict_and_message_as_rasa(name: str) -> None:
    answer = ANSWERS[name]
    ours = outcome(action_validation.validate_action_result, answer)
    assert ours == outcome(ORIGINAL, answer)
    if ours[0] is False:
        assert "Failed to validate Action server response" in ours[1]


def test_installed_for_every_remote_action(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RemoteAction, "_validate_action_result", ORIGINAL)
    action_validation.install()
    action_validation.install()
    assert RemoteAction._validate_action_result is action_validation.validate_action_result
    with pytest.raises(ValidationError):
        RemoteAction("action_x", None)._validate_action_result({"events": [{"event": "slot"}]})
