"""carpimko.rasa_patches: one install, version-checked, and a switch for stock Rasa."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from rasa.core import run
from rasa.core.actions.action import ActionExtractSlots, RemoteAction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import Event
from rasa.shared.core.slots import Slot
from rasa.utils.tensorflow.models import RasaModel

from carpimko import rasa_patches
from carpimko.rasa_patches import Patch

PATCHED = [
    (RasaModel, "load"),
    (RemoteAction, "_validate_action_result"),
    (Event, "resolve_by_type"),
    (RulePolicy, "_get_possible_keys"),
    (ActionExtractSlots, "run"),
    (run, "configure_app"),
    (MessageProcessor, "handle_message"),
    (MessageProcessor, "parse_message"),
    (MessageProcessor, "_run_action"),
]


@pytest.fixture(autouse=True)
def restored() -> Iterator[None]:
    """Every class as Rasa ships it before and after each test."""
    saved = [(cls, name, cls.__dict__[name]) for cls, name in PATCHED]
    had_copy = "__copy__" in vars(Slot)
    yield
    for cls, name, original in saved:
        setattr(cls, name, original)
    if not had_copy and "__copy__" in vars(Slot):
        del Slot.__copy__


def test_every_patch_is_written_for_the_installed_rasa() -> None:
    assert all(patch.applies() for patch in rasa_patches.PATCHES)


def test_install_puts_every_process_wide_patch_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(rasa_patches.STOCK_SETTING, raising=False)
    original_rules = RulePolicy.__dict__["_get_possible_keys"]
    installed = rasa_patches.install()
    assert installed == [
        "fast_load", "action_validation", "event_types", "slot_copy", "rule_index",
        "metrics", "password_warning",
    ]  # fmt: skip
    assert RulePolicy.__dict__["_get_possible_keys"] is not original_rules
    assert getattr(RasaModel.load.__func__, "_carpimko_fast", False)
    assert "__copy__" in vars(Slot)


def test_stock_rasa_keeps_only_what_the_product_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(rasa_patches.STOCK_SETTING, "0")
    original_rules = RulePolicy.__dict__["_get_possible_keys"]
    assert rasa_patches.install() == ["metrics", "password_warning"]
    assert RulePolicy.__dict__["_get_possible_keys"] is original_rules
    assert not getattr(RasaModel.load.__func__, "_carpimko_fast", False)


def test_a_patch_for_another_version_refuses_with_a_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger=rasa_patches.__name__):
        assert not Patch("rule_index", "rasa", "3.6.20", "test").applies()
        assert not Patch("rule_index", "no-such-library", "1.0", "test").applies()
    assert "written for rasa 3.6.20, found 3.6.21" in caplog.text
    assert "found absent" in caplog.text
