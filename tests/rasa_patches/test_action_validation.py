"""The action server's answers are accepted or refused exactly as Rasa's own check does, with
the validator built once (carpimko/action_validation.py)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from carpimko.rasa_patches import action_validation

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


_values = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5))
_names = st.text(min_size=1, max_size=8)
_valid_events = st.one_of(
    st.fixed_dictionaries({"event": st.just("slot"), "name": _names, "value": _values}),
    st.fixed_dictionaries({"event": st.just("followup"), "name": _names}),
    st.fixed_dictionaries({"event": st.just("active_loop"), "name": st.one_of(st.none(), _names)}),
    st.fixed_dictionaries({"event": st.just("bot"), "text": st.one_of(st.none(), _names)}),
    st.fixed_dictionaries({"event": st.just("reset_slots")}),
    st.fixed_dictionaries(
        {"event": st.just("user"), "text": _names},
        optional={
            "parse_data": st.fixed_dictionaries(
                {"intent": st.fixed_dictionaries({"name": _names, "confidence": st.floats(0, 1)})}
            )
        },
    ),
)


@st.composite
def _events(draw: Any) -> Any:
    """Mostly well-formed events; one in three has one field replaced by anything."""
    event = draw(_valid_events)
    if draw(st.integers(0, 2)) == 0:
        key = draw(st.sampled_from(["event", "name", "value", "text", "timestamp", "metadata"]))
        event[key] = draw(st.one_of(_values, st.sampled_from(["slot", "bot", "no_such_event"])))
    return event


_answers = st.fixed_dictionaries(
    {},
    optional={
        "events": st.one_of(_values, st.lists(_events(), max_size=4)),
        "responses": st.one_of(
            st.lists(st.fixed_dictionaries({"response": _names})),
            st.lists(st.dictionaries(st.text(max_size=8), _values)),
            _values,
        ),
    },
)


@settings(max_examples=400, deadline=None)
@given(_answers)
def test_dispatch_by_event_type_accepts_and_refuses_as_rasa(answer: dict[str, Any]) -> None:
    """The shortcut (each event against its own type's schema) never disagrees with Rasa."""
    assert (
        outcome(action_validation.validate_action_result, answer)[0] is outcome(ORIGINAL, answer)[0]
    )


def test_every_event_type_of_the_schema_has_its_own_check() -> None:
    validators = action_validation._validators()
    assert validators.envelope is not None
    assert {"user", "slot", "bot", "active_loop", "followup"} <= set(validators.by_event)
