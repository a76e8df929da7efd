"""contact, human_handoff, callback, stop and the password warning, on the real portal app."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
import pytest
from actions_testkit import responses, run, slot_events, tracker
from portal_testkit import SERVICE_KEY
from rasa_sdk.executor import CollectingDispatcher

from actions.contact import ActionContact
from actions.handoff import (
    ActionCallbackDeclined,
    ActionCreateCallback,
    ActionHumanHandoff,
    ValidateCallbackForm,
    mask_phone,
)
from actions.procedure import ActionCancelProcedure
from actions.sealed import seal, unseal
from actions.summary import conversation_summary
from portal.contract.support import french_phone

pytestmark = pytest.mark.asyncio(loop_scope="session")

HISTORY = [
    {
        "event": "user",
        "text": "j'ai oublié mon mot de passe",
        "parse_data": {"intent": {"name": "forgot_password"}},
    },
    {"event": "user", "text": "1234567", "parse_data": {"intent": {"name": "inform"}}},
    {"event": "user", "text": "un conseiller", "parse_data": {"intent": {"name": "human_handoff"}}},
]


async def test_contact_details_from_the_portal(live_portal) -> None:
    _, dispatcher = await run(ActionContact(), tracker(intent="contact"))
    [message] = dispatcher.messages
    assert message["response"] == "utter_contact_details"
    assert message["phone"] == "01 30 48 10 00"
    assert message["open_state"] == "Le standard est ouvert en ce moment, jusqu'à 12 h 45."
    assert "78882" in message["address"]


async def test_contact_when_closed_gives_the_next_opening(live_portal) -> None:
    live_portal.clock.now += timedelta(hours=9)  # Wednesday 19:00 in Paris
    _, dispatcher = await run(ActionContact(), tracker(intent="contact"))
    assert "jeudi 13 novembre 2025 à 8 h 45" in dispatcher.messages[0]["open_state"]


async def test_contact_falls_back_when_the_portal_is_down(closed_port) -> None:
    _, dispatcher = await run(ActionContact(), tracker(intent="contact"))
    assert responses(dispatcher) == ["utter_contact_fallback", "utter_contact"]


async def test_contact_falls_back_within_3_seconds_on_timeout(hung_portal) -> None:
    started = time.monotonic()
    _, dispatcher = await run(ActionContact(), tracker(intent="contact"))
    assert time.monotonic() - started < 3
    assert responses(dispatcher) == ["utter_contact_fallback", "utter_contact"]


async def test_handoff_during_opening_hours_creates_a_ticket(live_portal) -> None:
    t = tracker(
        {"profile": "affilie", "dossier_number": "1234567"},
        intent="human_handoff",
        events=HISTORY,
        active_loop="reset_form",
    )
    _, dispatcher = await run(ActionHumanHandoff(), t)
    [message] = dispatcher.messages
    assert message["response"] == "utter_handoff_created"
    assert message["reference"].startswith("CONS-")
    async with httpx.AsyncClient(base_url=live_portal.url) as http:
        listed = await http.get(
            "/api/v1/handoffs",
            params={"status": "open"},
            headers={"X-Service-Key": SERVICE_KEY},
        )
    [ticket] = listed.json()["tickets"]
    assert "forgot_password" in ticket["summary"]
    assert "réinitialisation" in ticket["summary"]
    assert "1234567" not in str(ticket)  # no personal data in the ticket


async def test_handoff_outside_hours_offers_a_callback(live_portal) -> None:
    live_portal.clock.now += timedelta(hours=9)
    events, dispatcher = await run(ActionHumanHandoff(), tracker(intent="human_handoff"))
    assert responses(dispatcher) == ["utter_handoff_closed_offer"]
    assert slot_events(events) == {"handoff_status": "closed"}


async def test_handoff_when_the_portal_is_down(closed_port) -> None:
    _, dispatcher = await run(ActionHumanHandoff(), tracker(intent="human_handoff"))
    assert responses(dispatcher) == ["utter_handoff_unavailable", "utter_human_handoff"]


async def test_handoff_on_portal_timeout_answers_within_3_seconds(hung_portal) -> None:
    started = time.monotonic()
    _, dispatcher = await run(ActionHumanHandoff(), tracker(intent="human_handoff"))
    assert time.monotonic() - started < 3
    assert responses(dispatcher) == ["utter_handoff_unavailable", "utter_human_handoff"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("+33 1 30 48 10 00", "+33130481000"),
        ("+262 262 12 34 56", "+262262123456"),
        ("12", None),
        ("+44 20 7946 0958", None),
        ("bonjour", None),
    ],
)
async def test_french_phone_numbers(raw: str, expected: str | None) -> None:
    assert french_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "allowed"),
    [
        ("08 99 23 45 67", False),  # premium rate
        ("+33 8 92 68 01 23", False),  # premium rate
        ("08 10 12 34 56", False),  # shared cost
        ("08 00 12 34 56", False),  # toll free: a service, not a person
        ("06 12 34 56 78", True),
        ("01 30 48 10 00", True),
        ("09 51 23 45 67", True),  # internet box
    ],
)
async def test_callbacks_go_to_a_persons_line_only(raw: str, allowed: bool) -> None:
    dispatcher = CollectingDispatcher()
    slots = await ValidateCallbackForm().validate_callback_phone(raw, dispatcher, tracker(), {})
    assert (slots["callback_phone"] is not None) is allowed
    assert responses(dispatcher) == ([] if allowed else ["utter_callback_phone_special"])


async def test_phone_is_echoed_masked() -> None:
    assert mask_phone("+33612345678") == "06 ** ** ** 78"


async def test_callback_phone_validation_counts_failures() -> None:
    form = ValidateCallbackForm()
    dispatcher = CollectingDispatcher()
    first = await form.validate_callback_phone("123", dispatcher, tracker(), {})
    second = await form.validate_callback_phone(
        "abc", dispatcher, tracker({"form_failures": first["form_failures"]}), {}
    )
    assert second["callback_phone"] is None
    assert responses(dispatcher) == [
        "utter_invalid_phone",
        "utter_invalid_phone",
        "utter_explain_callback_phone",
        "utter_offer_advisor",
    ]
    ok = await form.validate_callback_phone("06 12 34 56 78", dispatcher, tracker(), {})
    assert "612345678" not in ok["callback_phone"]  # sealed: never in the store in clear
    assert unseal(ok["callback_phone"], "conv-test") == "+33612345678"


async def test_callback_is_created(live_portal) -> None:
    live_portal.clock.now += timedelta(hours=9)
    phone = seal("+33612345678", "conv-test")
    t = tracker({"callback_phone": phone, "handoff_status": "closed"}, events=HISTORY)
    events, dispatcher = await run(ActionCreateCallback(), t)
    [message] = dispatcher.messages
    assert message["response"] == "utter_callback_created"
    assert message["reference"].startswith("RAP-")
    assert message["masked_phone"] == "06 ** ** ** 78"
    assert slot_events(events)["callback_phone"] is None


async def test_callback_when_the_portal_is_down(closed_port) -> None:
    phone = seal("+33612345678", "conv-test")
    _, dispatcher = await run(ActionCreateCallback(), tracker({"callback_phone": phone}))
    assert responses(dispatcher) == ["utter_handoff_unavailable", "utter_human_handoff"]


async def test_callback_with_an_unreadable_number_asks_again(live_portal) -> None:
    expired = seal("+33612345678", "another-conversation")
    events, dispatcher = await run(ActionCreateCallback(), tracker({"callback_phone": expired}))
    assert responses(dispatcher) == ["utter_callback_phone_again"]
    assert slot_events(events)["callback_phone"] is None


async def test_callback_declined_points_to_the_secure_messaging() -> None:
    events, dispatcher = await run(ActionCallbackDeclined(), tracker({"handoff_status": "closed"}))
    assert responses(dispatcher) == ["utter_secure_messaging"]
    assert slot_events(events) == {"handoff_status": None}


async def test_stop_resets_every_procedure_slot() -> None:
    slots = {"profile": "affilie", "dossier_number": "1234567", "reset_reason": "first_login"}
    events, dispatcher = await run(ActionCancelProcedure(), tracker(slots, intent="stop"))
    assert responses(dispatcher) == ["utter_procedure_cancelled"]
    cleared = slot_events(events)
    assert {"profile", "dossier_number", "reset_reason", "callback_phone"} <= set(cleared)
    assert set(cleared.values()) == {None}


async def test_summary_has_no_personal_data() -> None:
    t = tracker({"dossier_number": "1234567", "profile": "affilie"}, events=HISTORY)
    summary = conversation_summary(t)
    assert "forgot_password" in summary and "human_handoff" in summary
    assert "1234567" not in summary
