"""Events read back from the store or an action's answer are the same objects with the table
of event types (carpimko/event_types.py) as with Rasa's walk of the class tree."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

from carpimko.rasa_patches import event_types


@pytest.fixture(autouse=True)
def installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(event_types.resolve_by_type))
    event_types._TABLE.clear()


def test_every_event_type_resolves_to_rasas_class_twice() -> None:
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "slot", "action", "bot", "session_started"} <= names
    for name in names:
        expected = event_types._ORIGINAL(name)
        assert Event.resolve_by_type(name) is expected
        assert Event.resolve_by_type(name) is expected  # from the table this time
    assert set(event_types._TABLE) == names


def test_unknown_names_behave_as_in_rasa() -> None:
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="no_such_event"):
        Event.resolve_by_type("no_such_event")
    assert "no_such_event" not in event_types._TABLE and "topic" not in event_types._TABLE


def test_a_conversation_reads_back_identically() -> None:
    events = [
        ActionExecuted("action_listen"),
        UserUttered("mot de passe oublié", {"name": "forgot_password", "confidence": 0.9}),
        SlotSet("dossier_number", "1234567"),
        ActionExecuted("utter_ask_dossier_number"),
    ]
    again = [Event.from_parameters(event.as_dict()) for event in events]
    assert again == events


def test_install_is_idempotent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(event_types._ORIGINAL))
    event_types.install()
    event_types.install()
    assert Event.resolve_by_type is event_types.resolve_by_type
    assert Event.resolve_by_type("slot") is SlotSet
