"""« Pourquoi vous me demandez ça ? »: the reason of the question asked, from the domain."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from actions_testkit import responses, tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.why import ActionExplainWhy, why_response

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
ASKED = sorted({slot for form in DOMAIN["forms"].values() for slot in form["required_slots"]})


@pytest.mark.parametrize("slot", ASKED)
def test_every_question_a_form_asks_has_a_reason(slot: str) -> None:
    assert why_response(slot, DOMAIN["responses"]) in DOMAIN["responses"]


@pytest.mark.parametrize(
    ("slot", "expected"),
    [
        ("dossier_number", "utter_why_dossier_number"),
        ("rib_confirmed", "utter_why_confirmed"),
        ("rib_bic", "utter_why_asked"),
        (None, "utter_why_nothing_asked"),
    ],
)
def test_the_reason_is_the_slot_s_own_else_shared(slot: str | None, expected: str) -> None:
    assert why_response(slot, DOMAIN["responses"]) == expected


async def said(t: object) -> list[str]:
    dispatcher = CollectingDispatcher()
    await ActionExplainWhy().run(dispatcher, t, DOMAIN)  # type: ignore[arg-type]
    return responses(dispatcher)


async def test_inside_the_reset_form_the_number_s_reason_is_given() -> None:
    t = tracker(
        {"requested_slot": "dossier_number"},
        text="pourquoi ?",
        intent="why_asked",
        active_loop="reset_form",
    )
    assert await said(t) == ["utter_why_dossier_number"]


async def test_outside_a_form_nothing_is_being_asked() -> None:
    t = tracker({"requested_slot": "dossier_number"}, text="pourquoi ?", intent="why_asked")
    assert await said(t) == ["utter_why_nothing_asked"]
