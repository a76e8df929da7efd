"""reset_form on the phone line: postal code as second factor before anything personal."""

from __future__ import annotations

from typing import Any

import pytest
from actions_testkit import responses, tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.forms.reset import ValidateResetForm

pytestmark = pytest.mark.asyncio(loop_scope="session")
FORM = ValidateResetForm()
DOMAIN_SLOTS = ["profile", "dossier_number", "postal_code", "delivery_channel"]
ON_PHONE = [{"event": "user", "text": "allo", "input_channel": "ivr", "parse_data": {}}]
ON_WEB = [{"event": "user", "text": "bonjour", "input_channel": "socketio", "parse_data": {}}]


async def validate(
    slot: str, value: Any, slots: dict[str, Any], intent: str = "inform"
) -> tuple[dict, list[str]]:
    dispatcher = CollectingDispatcher()
    t = tracker(slots, active_loop="reset_form", events=ON_PHONE, intent=intent, text=str(value))
    result = await getattr(FORM, f"validate_{slot}")(value, dispatcher, t, {})
    return result, responses(dispatcher)


async def test_the_postal_code_is_asked_on_the_phone_only() -> None:
    dispatcher = CollectingDispatcher()
    phone = tracker({}, events=ON_PHONE)
    web = tracker({}, events=ON_WEB)
    assert await FORM.required_slots(DOMAIN_SLOTS, dispatcher, phone, {}) == DOMAIN_SLOTS
    assert await FORM.required_slots(DOMAIN_SLOTS, dispatcher, web, {}) == [
        "profile",
        "dossier_number",
        "delivery_channel",
    ]


async def test_on_the_phone_the_dossier_alone_starts_nothing(live_portal) -> None:
    result, said = await validate("dossier_number", "1234567", {"profile": "affilie"})
    assert result["dossier_number"] == "1234567" and said == []
    assert "reset_id" not in result and "reset_masked_email" not in result


async def test_matching_postal_code_starts_the_reset(live_portal) -> None:
    slots = {"profile": "affilie", "dossier_number": "1234567"}
    result, said = await validate("postal_code", "six neuf zéro zéro trois", slots)
    assert said == []
    assert result["postal_code"] == "69003"
    assert result["reset_id"] and result["reset_channels"] == ["email", "courrier"]


async def test_post_only_dossier_goes_straight_to_the_letter(live_portal) -> None:
    slots = {"profile": "affilie", "dossier_number": "2345678"}
    result, said = await validate("postal_code", "33800", slots)
    assert said == ["utter_reset_post_only"] and result["delivery_channel"] == "courrier"


async def test_wrong_postal_code_twice_explains_and_offers_an_advisor(live_portal) -> None:
    slots: dict[str, Any] = {"profile": "affilie", "dossier_number": "1234567"}
    result, said = await validate("postal_code", "75001", slots)
    assert result["postal_code"] is None and said == ["utter_identity_mismatch"]
    assert "reset_id" not in result
    slots["form_failures"] = result["form_failures"]
    result, said = await validate("postal_code", "75002", slots)
    assert said == ["utter_identity_mismatch", "utter_explain_postal_code", "utter_offer_advisor"]


async def test_malformed_postal_code_and_correction() -> None:
    slots = {"profile": "affilie", "dossier_number": "1234567"}
    result, said = await validate("postal_code", "69", slots)
    assert result["postal_code"] is None and said == ["utter_invalid_postal_code"]
    result, said = await validate("postal_code", "/deny", slots, intent="deny")
    assert result == {"dossier_number": None, "postal_code": None}
    assert said == ["utter_dossier_correction"]
    # « non » means the same even when the NLU did not recognise it.
    result, said = await validate("postal_code", "Non.", slots, intent="nlu_fallback")
    assert result == {"dossier_number": None, "postal_code": None}


async def test_portal_down_gives_one_short_apology_on_the_phone(closed_port) -> None:
    slots = {"profile": "affilie", "dossier_number": "1234567", "reset_reason": "forgot_password"}
    result, said = await validate("postal_code", "69003", slots)
    assert result["reset_outcome"] == "unavailable"
    # The written procedure (two long messages) is not read to a caller: retry or an advisor.
    assert said == ["utter_portal_unavailable_reset"]
