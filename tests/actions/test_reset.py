"""The reset form (forgot_password / first_login) against the real portal app."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from actions_testkit import responses, run, slot_events, tracker
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher
from sqlalchemy import text

from actions.common import french_date
from actions.forms.reset import ActionResetDeliver, ValidateResetForm, holds_a_letter
from portal.seed import DEMO_TEMPORARY_PASSWORD

pytestmark = pytest.mark.asyncio(loop_scope="session")
FORM = ValidateResetForm()
DOMAIN = yaml.safe_load((Path(__file__).parents[2] / "domain.yml").read_text(encoding="utf-8"))
RESET_SLOTS_OF_DOMAIN = ("profile", "dossier_number", "postal_code", "reset_replace",
                         "delivery_channel")  # fmt: skip


async def validate(slot: str, value: Any, slots: dict[str, Any]) -> tuple[dict, list[str]]:
    dispatcher = CollectingDispatcher()
    method = getattr(FORM, f"validate_{slot}")
    result = await method(value, dispatcher, tracker(slots, active_loop="reset_form"), {})
    return result, responses(dispatcher)


async def test_french_dates() -> None:
    from datetime import date

    assert french_date(date(2026, 11, 30)) == "lundi 30 novembre 2026"
    assert french_date(date(2026, 12, 1)) == "mardi 1er décembre 2026"


async def test_profile_is_normalised_and_invalid_values_explained() -> None:
    result, said = await validate("profile", "je suis affilié", {})
    assert result["profile"] == "affilie" and said == []
    result, said = await validate("profile", "euh", {})
    assert result["profile"] is None and said == ["utter_invalid_profile"]


async def test_two_invalid_answers_in_a_row_explain_and_offer_an_advisor() -> None:
    slots: dict[str, Any] = {"profile": "affilie"}
    result, said = await validate("dossier_number", "12345", slots)
    assert result["dossier_number"] is None
    assert said == ["utter_invalid_dossier_length"]
    slots["form_failures"] = result["form_failures"]
    result, said = await validate("dossier_number", "12 34", slots)
    assert said == [
        "utter_invalid_dossier_length",
        "utter_profile_and_dossier",
        "utter_offer_advisor",
    ]
    assert result["form_failures"] == {"dossier_number": 0}


@pytest.mark.parametrize(
    ("profile", "number"), [("ayant_droit", "1234567"), ("affilie", "123456789")]
)
async def test_either_length_for_either_profile_the_portal_decides(
    live_portal, profile: str, number: str
) -> None:
    """Never « your number has the wrong length for your situation »: the portal answers."""
    result, said = await validate("dossier_number", number, {"profile": profile})
    assert result["dossier_number"] is None
    assert said == ["utter_reset_unknown"]


async def test_valid_dossier_starts_the_reset_with_email_offered(live_portal) -> None:
    result, said = await validate(
        "dossier_number", "un deux trois quatre cinq six sept", {"profile": "affilie"}
    )
    assert said == []
    assert result["dossier_number"] == "1234567"
    assert result["reset_id"]
    assert result["reset_channels"] == ["email", "courrier"]
    assert "@" in result["reset_masked_email"] and "jeanne" not in result["reset_masked_email"]
    assert "delivery_channel" not in result  # the form asks e-mail or post


async def test_without_email_the_form_goes_straight_to_post(live_portal) -> None:
    result, said = await validate("dossier_number", "23 45 678", {"profile": "affilie"})
    assert said == ["utter_reset_post_only"]
    assert result["delivery_channel"] == "courrier"


async def test_unknown_dossier_says_no_more_than_the_site(live_portal) -> None:
    result, said = await validate("dossier_number", "9999999", {"profile": "affilie"})
    assert result["dossier_number"] is None
    assert said == ["utter_reset_unknown"]


async def test_too_many_attempts_ends_the_form(live_portal) -> None:
    for _ in range(3):
        await validate("dossier_number", "1234567", {"profile": "affilie"})
    result, said = await validate("dossier_number", "1234567", {"profile": "affilie"})
    assert said == ["utter_reset_too_many_attempts"]
    assert result["reset_outcome"] == "refused"
    assert (
        await FORM.required_slots(
            ["profile"], CollectingDispatcher(), tracker({"reset_outcome": "refused"}), {}
        )
        == []
    )


async def test_delivery_channel_must_be_offered() -> None:
    result, said = await validate("delivery_channel", "par mail", {"reset_channels": ["courrier"]})
    assert result["delivery_channel"] == "courrier"
    assert said == ["utter_reset_post_only"]
    result, said = await validate("delivery_channel", "bof", {"reset_channels": ["email"]})
    assert result["delivery_channel"] is None
    assert said == ["utter_invalid_delivery_channel"]


async def _started(dossier: str, profile: str = "affilie") -> dict[str, Any]:
    result, _ = await validate("dossier_number", dossier, {"profile": profile})
    return {"profile": profile, **result}


async def test_email_delivery_confirms_the_24_hour_link(live_portal) -> None:
    slots = await _started("1234567")
    slots.update(delivery_channel="email", reset_reason="forgot_password")
    events, dispatcher = await run(ActionResetDeliver(), tracker(slots))
    # A link, not a password: sender, subject, link prefix and the page's steps follow.
    assert responses(dispatcher) == [
        "utter_reset_email_sent",
        "utter_reset_link_steps",
        "utter_password_rules",
    ]
    assert dispatcher.messages[0]["masked_email"] == slots["reset_masked_email"]
    assert all(v is None for v in slot_events(events).values())


@pytest.mark.parametrize("reason", ["first_login", "forgot_password"])
async def test_post_delivery_gives_the_funds_delay_and_how_to_use_the_letter(
    live_portal, reason: str
) -> None:
    slots = await _started("2345678")
    slots["reset_reason"] = reason
    _, dispatcher = await run(ActionResetDeliver(), tracker(slots))
    assert responses(dispatcher) == [
        "utter_reset_letter_sent",
        "utter_first_login_temporary_password",
    ]
    assert "delivery_date" not in dispatcher.messages[0]  # no computed « au plus tard le »


async def test_past_the_hourly_cap_on_letters_the_request_waits_for_a_person(
    live_portal,
) -> None:
    """The portal holds the letter: no delay is promised, a person checks it before it leaves."""
    resources = live_portal.app.ctx.resources
    kept = resources.settings
    resources.settings = replace(kept, letters_per_hour=0)
    try:
        slots = await _started("2345678")
        _, dispatcher = await run(ActionResetDeliver(), tracker(slots))
    finally:
        resources.settings = kept
    assert responses(dispatcher) == [
        "utter_reset_letter_held",
        "utter_first_login_temporary_password",
    ]


async def test_on_the_phone_a_first_login_by_post_hears_no_password_rules(live_portal) -> None:
    """The fund's delay and how to use the letter: one turn the phone test keeps short."""
    slots = await _started("2345678")
    slots["reset_reason"] = "first_login"
    on_phone = [{"event": "user", "text": "allo", "input_channel": "ivr", "parse_data": {}}]
    _, dispatcher = await run(ActionResetDeliver(), tracker(slots, events=on_phone))
    assert responses(dispatcher) == [
        "utter_reset_letter_sent",
        "utter_first_login_temporary_password",
    ]


async def test_ayant_droit_reset(live_portal) -> None:
    slots = await _started("123 456 789", "ayant_droit")
    assert slots["dossier_number"] == "123456789"
    slots["delivery_channel"] = "email"
    _, dispatcher = await run(ActionResetDeliver(), tracker(slots))
    assert responses(dispatcher)[0] == "utter_reset_email_sent"


async def test_portal_down_during_the_form_apologises_and_ends_it(closed_port) -> None:
    started = time.monotonic()
    result, said = await validate("dossier_number", "1234567", {"profile": "affilie"})
    assert said == [
        "utter_portal_unavailable_reset",
        "utter_forgot_password_steps",
        "utter_forgot_password_delivery",
    ]
    assert result["reset_outcome"] == "unavailable"
    _, dispatcher = await run(
        ActionResetDeliver(), tracker({"reset_outcome": "unavailable", "profile": "affilie"})
    )
    assert responses(dispatcher) == []  # already apologised
    assert time.monotonic() - started < 3


async def test_portal_timeout_on_delivery_apologises_within_3_seconds(hung_portal) -> None:
    slots = {
        "reset_id": "x",
        "delivery_channel": "email",
        "profile": "affilie",
        "reset_reason": "first_login",
    }
    started = time.monotonic()
    _, dispatcher = await run(ActionResetDeliver(), tracker(slots))
    assert time.monotonic() - started < 3
    assert responses(dispatcher) == [
        "utter_portal_unavailable_reset",
        "utter_first_login_steps",
        "utter_first_login_temporary_password",
    ]


async def test_form_validation_through_the_action_server(live_portal) -> None:
    """The whole validate_reset_form as Rasa calls it after extracting the requested slot."""
    executor = ActionExecutor()
    executor.register_package("actions")
    domain = {
        "forms": {"reset_form": {"required_slots": ["profile", "dossier_number"]}},
        "slots": {
            "profile": {"type": "text", "mappings": [{"type": "from_entity", "entity": "profile"}]},
            "dossier_number": {
                "type": "text",
                "mappings": [{"type": "from_entity", "entity": "dossier_number"}],
            },
        },
    }
    request = {
        "next_action": "validate_reset_form",
        "sender_id": "conv-exec",
        "tracker": {
            "sender_id": "conv-exec",
            "slots": {
                "profile": "affilie",
                "dossier_number": "1234567",
                "requested_slot": "dossier_number",
            },
            "latest_message": {
                "text": "1234567",
                "intent": {"name": "inform"},
                "entities": [{"entity": "dossier_number", "value": "1234567"}],
            },
            # Rasa extracts the slot (action_extract_slots), the SDK validates what was set.
            "events": [
                {"event": "user", "text": "1234567", "parse_data": {}},
                {"event": "slot", "name": "dossier_number", "value": "1234567"},
            ],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": "reset_form"},
            "latest_action_name": "action_listen",
        },
        "domain": domain,
        "version": "3.6.2",
    }
    result = await executor.run(request)
    assert result is not None
    slots = {e["name"]: e["value"] for e in result["events"] if e["event"] == "slot"}
    assert slots["dossier_number"] == "1234567"
    assert slots["reset_id"]


# --- ask before acting: something already sent is never replaced without asking ---------------
def _outbox_count(live_portal: Any, dossier: str) -> int:
    with live_portal.engine.connect() as connection:
        return connection.execute(
            text(
                "SELECT count(*) FROM outbox o JOIN members m ON m.id = o.member_id "
                "WHERE m.dossier_number = :d"
            ),
            {"d": dossier},
        ).scalar_one()


async def _temporary_password_works(live_portal: Any) -> bool:
    async with httpx.AsyncClient(base_url=live_portal.url) as client:
        answer = await client.post(
            "/api/v1/sessions",
            json={
                "profile": "affilie",
                "dossier_number": "4567890",
                "password": DEMO_TEMPORARY_PASSWORD,
            },
        )
    return answer.status_code in (200, 201)


async def test_a_pending_letter_is_announced_and_the_form_asks_before_replacing(
    live_portal,
) -> None:
    letters = _outbox_count(live_portal, "4567890")
    result, said = await validate("dossier_number", "4567890", {"profile": "affilie"})
    assert said == [] and result["reset_pending"] == "courrier"
    slots = {"profile": "affilie", **result}
    required = await FORM.required_slots(
        list(RESET_SLOTS_OF_DOMAIN), CollectingDispatcher(), tracker(slots), {}
    )
    assert required == ["profile", "dossier_number", "reset_replace", "delivery_channel"]
    # « Non, j'utilise mon courrier »: nothing is sent, the letter in hand still works.
    result, said = await validate("reset_replace", False, slots)
    assert result == {"reset_replace": False, "reset_outcome": "kept"}
    slots.update(result)
    _, dispatcher = await run(ActionResetDeliver(), tracker(slots))
    assert responses(dispatcher) == [
        "utter_reset_nothing_requested",
        "utter_first_login_temporary_password",
    ]
    assert _outbox_count(live_portal, "4567890") == letters
    assert await _temporary_password_works(live_portal)


async def test_replacing_a_pending_letter_only_after_yes(live_portal) -> None:
    result, _ = await validate("dossier_number", "4567890", {"profile": "affilie"})
    slots = {"profile": "affilie", **result}
    result, said = await validate("reset_replace", "oui", slots)
    assert result["reset_replace"] is True and said == []
    slots.update(result, delivery_channel="courrier")
    _, dispatcher = await run(ActionResetDeliver(), tracker(slots))
    assert responses(dispatcher)[0] == "utter_reset_letter_sent"
    assert not await _temporary_password_works(live_portal)  # the new letter replaced it


async def test_nothing_pending_means_no_question(live_portal) -> None:
    result, _ = await validate("dossier_number", "1234567", {"profile": "affilie"})
    assert result["reset_pending"] is None
    required = await FORM.required_slots(
        list(RESET_SLOTS_OF_DOMAIN), CollectingDispatcher(), tracker({**result}), {}
    )
    assert "reset_replace" not in required


async def test_a_live_link_is_announced_too(live_portal) -> None:
    slots = await _started("1234567")
    slots["delivery_channel"] = "email"
    await run(ActionResetDeliver(), tracker(slots))
    result, _ = await validate("dossier_number", "1234567", {"profile": "affilie"})
    assert result["reset_pending"] == "email"


@pytest.mark.parametrize(
    "message",
    [
        "j'ai reçu un mot de passe provisoire par courrier, qu'est-ce que j'en fais ?",
        "J'ai bien reçu la lettre avec le mot de passe provisoire, comment je l'utilise",
        "le courrier est arrivé, je fais quoi maintenant",
    ],
)
async def test_a_letter_in_hand_gets_its_steps_and_no_new_request(
    live_portal, message: str
) -> None:
    letters = _outbox_count(live_portal, "4567890")
    t = tracker({}, text=message, intent="first_login", active_loop="reset_form")
    dispatcher = CollectingDispatcher()
    events = await FORM.run(dispatcher, t, DOMAIN)
    slots = slot_events(events)
    assert slots["reset_outcome"] == "kept" and slots["requested_slot"] is None
    assert responses(dispatcher) == []
    _, dispatcher = await run(ActionResetDeliver(), tracker(slots))
    assert responses(dispatcher) == ["utter_first_login_temporary_password"]
    assert _outbox_count(live_portal, "4567890") == letters


@pytest.mark.parametrize(
    "message",
    [
        "je n'ai pas reçu mon mot de passe provisoire",
        "première connexion, je n'ai jamais reçu de courrier",
        "je veux un mot de passe provisoire par courrier",
    ],
)
async def test_asking_for_a_letter_is_not_holding_one(message: str) -> None:
    assert not holds_a_letter(message)
