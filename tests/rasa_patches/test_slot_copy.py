"""Trackers built with the direct slot copy (carpimko/slot_copy.py) are the same as Rasa's."""

from __future__ import annotations

import copy
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.slots import Slot, TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

from carpimko.rasa_patches import slot_copy

DOMAIN = Domain.load(str(Path(__file__).parents[2] / "domain.yml"))


@pytest.fixture
def without_patch() -> Iterator[None]:
    """Rasa's generic copy for the test; whatever was installed is restored after it."""
    saved = vars(Slot).get("__copy__")
    if saved is not None:
        delattr(Slot, "__copy__")
    yield
    if "__copy__" in vars(Slot):
        delattr(Slot, "__copy__")
    if saved is not None:
        Slot.__copy__ = saved  # type: ignore[attr-defined]


def snapshot(slot: Slot) -> tuple[type, dict[str, Any]]:
    return type(slot), dict(vars(slot))


def test_each_domain_slot_copies_as_with_rasas_protocol(without_patch: None) -> None:
    assert len(DOMAIN.slots) > 20
    for slot in DOMAIN.slots:
        slot.value = slot.initial_value
    expected = [snapshot(copy.copy(slot)) for slot in DOMAIN.slots]
    slot_copy.install()
    assert "__copy__" in vars(Slot)
    for slot, want in zip(DOMAIN.slots, expected, strict=True):
        got = copy.copy(slot)
        assert got is not slot
        assert snapshot(got) == want


def test_a_tracker_slot_set_leaves_the_domain_and_other_trackers_alone(
    without_patch: None,
) -> None:
    slot_copy.install()
    first = DialogueStateTracker.from_events("a", [], slots=DOMAIN.slots)
    second = DialogueStateTracker.from_events("b", [], slots=DOMAIN.slots)
    name = next(s.name for s in DOMAIN.slots if isinstance(s, TextSlot))
    initial = next(s for s in DOMAIN.slots if s.name == name).initial_value
    first.update(SlotSet(name, "valeur"))
    assert first.get_slot(name) == "valeur"
    assert second.get_slot(name) == initial
    assert next(s for s in DOMAIN.slots if s.name == name).value == initial


def test_trackers_replay_to_the_same_state_as_without(without_patch: None) -> None:
    events = [SlotSet(s.name, s.initial_value) for s in DOMAIN.slots]
    before = DialogueStateTracker.from_events("x", events, slots=DOMAIN.slots).current_state()
    slot_copy.install()
    after = DialogueStateTracker.from_events("x", events, slots=DOMAIN.slots).current_state()
    assert after == before


def test_not_installed_when_a_slot_class_customises_copying(without_patch: None) -> None:
    class Pickled(TextSlot):
        def __getstate__(self) -> dict[str, Any]:
            return {}

    try:
        slot_copy.install()
        assert "__copy__" not in vars(Slot)
    finally:
        del Pickled
        gc.collect()
