"""Identity and logged-in procedures against the real portal app (not mocked).

A real session token comes from the portal's own login (``POST /api/v1/sessions``, Sophie
Bernard, dossier 7654321); forged and expired tokens, portal down and portal timeout too.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from actions_testkit import responses, run, slot_events, tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import text

from actions.fallback import ActionSuggestIntents
from actions.forms.coordinates import (
    ActionAddressSubmit,
    ValidateAddressForm,
    ValidateEmailChangeForm,
)
from actions.forms.documents import ValidateAttestationForm, ValidateDocumentsForm
from actions.forms.rib import ActionRibSubmit, ValidateRibForm
from actions.identity import ActionIdentifyUser
from actions.sealed import seal, unseal
from carpimko.text.privacy import SEALED_PREFIX

pytestmark = pytest.mark.asyncio(loop_scope="session")
NEW_IBAN = "FR76 3000 6000 0112 3456 7890 189"


async def login(portal_url: str, dossier: str = "7654321") -> str:
    async with httpx.AsyncClient(base_url=portal_url) as client:
        answer = await client.post(
            "/api/v1/sessions",
            json={"profile": "affilie", "dossier_number": dossier, "password": "Carpimko2024"},
        )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["token"])


def count_rib_changes(portal: Any) -> int:
    with portal.engine.connect() as connection:
        return int(connection.execute(text("select count(*) from rib_changes")).scalar())


def member_tracker(
    token: str | None, slots: dict[str, Any] | None = None, text: str = "", **kwargs: Any
) -> Any:
    metadata = {"portal_token": token} if token else {}
    message = {
        "text": text,
        "intent": {"name": kwargs.pop("intent", "inform"), "confidence": 1.0},
        "entities": [],
        "metadata": metadata,
    }
    return tracker(slots, latest_message=message, **kwargs)


async def validate(
    form: Any, slot: str, value: Any, t: Any
) -> tuple[dict[str, Any], list[str], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    result = await getattr(form, f"validate_{slot}")(value, dispatcher, t, {})
    return result, responses(dispatcher), dispatcher


async def explained_not_kept(form: Any, slot: str, message: str) -> None:
    """A question or « pas encore » instead of the value: nothing kept, never « invalide »;
    the slot's explanation and the advisor's offer at once."""
    result, said, _ = await validate(form, slot, message, member_tracker("x"))
    assert result[slot] is None
    assert said == [f"utter_explain_{slot}", "utter_offer_advisor"]


# --- identity ---------------------------------------------------------------------------------
async def test_a_valid_token_is_verified_by_the_portal_and_only_masked_data_is_kept(
    live_portal,
) -> None:
    token = await login(live_portal.url)
    events, dispatcher = await run(
        ActionIdentifyUser(), member_tracker(token, intent="download_attestation")
    )
    slots = slot_events(events)
    assert slots == {
        "authenticated": True,
        "member_name": "Mme Bernard",
        "member_dossier_masked": "*****21",
    }
    assert responses(dispatcher) == ["utter_identity_confirmed"]
    assert dispatcher.messages[0]["connected"] == "connectée"  # Mme Bernard
    assert token not in repr(events) and "7654321" not in repr(events)


async def test_procedures_done_on_the_page_do_not_promise_to_run_them(live_portal) -> None:
    token = await login(live_portal.url)
    t = member_tracker(token, intent="resume_work")
    events, dispatcher = await run(ActionIdentifyUser(), t)
    assert slot_events(events)["authenticated"] is True and dispatcher.messages == []


async def test_no_token_is_anonymous_without_a_word(live_portal) -> None:
    events, dispatcher = await run(ActionIdentifyUser(), member_tracker(None))
    assert slot_events(events)["authenticated"] is False
    assert dispatcher.messages == []


async def test_a_forged_token_is_refused_in_french(live_portal) -> None:
    real = await login(live_portal.url)
    header, payload, _signature = real.split(".")
    forged = f"{header}.{payload}.c2lnbmF0dXJlLWZhdXNzZQ"
    expected = {
        forged: ["utter_identity_refused"],
        "pas-un-jeton": ["utter_identity_refused"],
        "x" * 5000: [],  # oversized: treated as absent, without a word, like no token
    }
    for token, said in expected.items():
        events, dispatcher = await run(ActionIdentifyUser(), member_tracker(token))
        assert slot_events(events)["authenticated"] is False
        assert responses(dispatcher) == said, token[:20]


async def test_an_expired_token_is_refused(live_portal) -> None:
    from datetime import timedelta

    token = await login(live_portal.url)
    live_portal.clock.now = live_portal.clock.now + timedelta(minutes=16)
    events, dispatcher = await run(ActionIdentifyUser(), member_tracker(token))
    assert slot_events(events)["authenticated"] is False
    assert responses(dispatcher) == ["utter_identity_refused"]


async def test_portal_down_or_hung_means_anonymous_with_an_apology(
    closed_port, hung_portal
) -> None:
    started = time.monotonic()
    events, dispatcher = await run(ActionIdentifyUser(), member_tracker("a.b.c"))
    assert time.monotonic() - started < 3
    assert slot_events(events)["authenticated"] is False
    assert responses(dispatcher) == ["utter_identity_unavailable"]


# --- attestation ------------------------------------------------------------------------------
async def test_attestation_for_a_period_is_generated_and_sent_as_a_file(live_portal) -> None:
    token = await login(live_portal.url)
    form = ValidateAttestationForm()
    result, said, _ = await validate(
        form, "attestation_type", "attestation de versement", member_tracker(token)
    )
    assert result["attestation_type"] == "versement_contributions" and said == []
    t = member_tracker(token, {"attestation_type": "paiement_invalidite_deces"})
    result, said, dispatcher = await validate(
        form, "attestation_period", "de janvier à mars 2025", t
    )
    assert result["attestation_period"] == "2025-01:2025-03"
    assert result["procedure_outcome"] == "done"
    assert said == ["utter_attestation_created"] and len(dispatcher.messages) == 2
    assert dispatcher.messages[0]["period"] == "de janvier 2025 à mars 2025"
    card = dispatcher.messages[1]["attachment"]
    src = card["payload"]["src"]
    assert card["type"] == "file" and src.startswith("http://portal.test/api/v1/files/")
    async with httpx.AsyncClient() as client:  # the public base of the test portal is fake
        pdf = await client.get(live_portal.url + src.removeprefix("http://portal.test"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


async def test_attestation_period_without_payment_is_explained_then_advisor(live_portal) -> None:
    token = await login(live_portal.url)
    form = ValidateAttestationForm()
    t = member_tracker(token, {"attestation_type": "paiement_invalidite_deces"})
    result, said, dispatcher = await validate(form, "attestation_period", "mars 2020", t)
    assert result["attestation_period"] is None and said == ["utter_portal_refused"]
    assert "aucune prestation" in dispatcher.messages[0]["message"]
    t = member_tracker(token, {"form_failures": result["form_failures"]})
    result, said, _ = await validate(form, "attestation_period", "quand vous voulez", t)
    assert said == [
        "utter_invalid_attestation_period",
        "utter_explain_attestation_period",
        "utter_offer_advisor",
    ]


async def test_attestation_with_an_expired_session_stops_the_form(live_portal) -> None:
    t = member_tracker("faux.jeton.signe", {"attestation_type": "paiement_invalidite_deces"})
    result, said, _ = await validate(ValidateAttestationForm(), "attestation_period", "2025", t)
    assert said == ["utter_identity_refused"]
    assert result["authenticated"] is False and result["procedure_outcome"] == "session"


async def test_attestation_with_the_portal_down_apologises_within_3_s(closed_port) -> None:
    started = time.monotonic()
    t = member_tracker("a.b.c", {"attestation_type": "paiement_invalidite_deces"})
    result, said, _ = await validate(ValidateAttestationForm(), "attestation_period", "2025", t)
    assert time.monotonic() - started < 3
    assert said == ["utter_portal_unavailable_member", "utter_download_attestation"]
    assert result["procedure_outcome"] == "unavailable"


# --- documents by year ------------------------------------------------------------------------
async def test_tax_certificates_and_payment_slips_of_a_year(live_portal) -> None:
    token = await login(live_portal.url)
    form = ValidateDocumentsForm()
    t = member_tracker(token, {"document_kind": "attestation_fiscale"})
    result, said, dispatcher = await validate(form, "document_year", "2024", t)
    assert result["document_year"] == "2024", said
    assert said == ["utter_documents_found"]
    assert [m["attachment"]["type"] for m in dispatcher.messages[1:]] == ["file"]
    t = member_tracker(token, {"document_kind": "bordereau"})
    result, said, dispatcher = await validate(form, "document_year", "pour 2025", t)
    cards = [m for m in dispatcher.messages if m.get("attachment")]
    assert 1 <= len(cards) <= 12
    result, said, _ = await validate(form, "document_year", "1985", t)
    assert said == ["utter_invalid_document_year"]


@pytest.mark.parametrize(
    "message", ["je ne connais pas encore ma nouvelle adresse", "pourquoi vous voulez ça ?"]
)
async def test_a_sentence_instead_of_a_street_is_never_kept_as_the_address(message: str) -> None:
    await explained_not_kept(ValidateAddressForm(), "address_line", message)


async def test_a_question_instead_of_an_e_mail_is_explained_never_invalid() -> None:
    message = "c'est celle de mon comptable en ce moment, c'est grave ?"
    await explained_not_kept(ValidateEmailChangeForm(), "new_email", message)


async def test_a_street_named_after_someone_is_a_street() -> None:
    result, _, _ = await validate(
        ValidateAddressForm(), "address_line", "3 rue Jeanne d'Arc", member_tracker("x")
    )
    assert result["address_line"] == "3 rue Jeanne d'Arc"


# --- RIB --------------------------------------------------------------------------------------
@pytest.mark.parametrize("message", ["c'est quoi un IBAN ?", "je ne sais pas où le trouver"])
async def test_a_question_instead_of_an_iban_is_explained_never_invalid(message: str) -> None:
    """No « Cet IBAN n'est pas valide » for a question: what an IBAN is, and an advisor."""
    await explained_not_kept(ValidateRibForm(), "rib_iban", message)


async def test_rib_iban_is_checked_summarised_masked_then_submitted(live_portal) -> None:
    token = await login(live_portal.url)
    form = ValidateRibForm()
    result, said, _ = await validate(
        form, "rib_iban", "FR76 3000 6000 0112 3456 7890 188", member_tracker(token)
    )
    assert result["rib_iban"] is None and said == ["utter_invalid_iban"]
    result, said, dispatcher = await validate(
        form, "rib_iban", f"mon iban est {NEW_IBAN}", member_tracker(token)
    )
    compact = NEW_IBAN.replace(" ", "")
    sealed = result["rib_iban"]
    assert sealed.startswith(SEALED_PREFIX) and compact not in sealed  # never in clear
    assert unseal(sealed, "conv-test") == compact
    assert result["rib_bic"] == "AGRIFRPPXXX"
    assert said == ["utter_rib_summary"]
    assert dispatcher.messages[0]["masked_iban"] == "FR76 **** **** 0189"
    result, said, _ = await validate(form, "rib_confirmed", "peut-être", member_tracker(token))
    assert said == ["utter_invalid_yes_no"]
    result, said, _ = await validate(form, "rib_confirmed", True, member_tracker(token))
    assert result["rib_confirmed"] is True
    slots = {"rib_iban": sealed, "rib_bic": "AGRIFRPPXXX", "rib_confirmed": True}
    events, dispatcher = await run(ActionRibSubmit(), member_tracker(token, slots))
    # Sophie Bernard (7654321) has a verified e-mail: the code goes there.
    assert responses(dispatcher) == ["utter_rib_code_email", "utter_rib_code_explained"]
    assert slot_events(events)["rib_iban"] is None
    assert compact not in repr(dispatcher.messages)
    assert count_rib_changes(live_portal) == 1


async def test_the_iban_on_file_is_answered_at_once(live_portal) -> None:
    """Typed in any spelling, the current IBAN is refused before the summary (the portal
    compares the full values); nothing is sent."""
    token = await login(live_portal.url, "1234567")
    result, said, _ = await validate(
        ValidateRibForm(), "rib_iban", "fr76 30004 00826 00012345678 71", member_tracker(token)
    )
    assert result["rib_iban"] is None and said == ["utter_iban_unchanged"]
    assert count_rib_changes(live_portal) == 0


async def test_a_sealed_iban_from_another_conversation_is_asked_again(live_portal) -> None:
    token = await login(live_portal.url)
    other = seal(NEW_IBAN.replace(" ", ""), "someone-else")
    slots = {"rib_iban": other, "rib_bic": "AGRIFRPPXXX", "rib_confirmed": True}
    _, dispatcher = await run(ActionRibSubmit(), member_tracker(token, slots))
    assert responses(dispatcher) == ["utter_change_rib"]
    assert count_rib_changes(live_portal) == 0


async def test_rib_denied_sends_nothing(live_portal) -> None:
    token = await login(live_portal.url)
    result, said, _ = await validate(
        ValidateRibForm(), "rib_confirmed", False, member_tracker(token)
    )
    assert said == ["utter_rib_not_sent"] and result["procedure_outcome"] == "cancelled"
    slots = {
        "rib_iban": "X",
        "rib_bic": "Y",
        "rib_confirmed": False,
        "procedure_outcome": "cancelled",
    }
    _, dispatcher = await run(ActionRibSubmit(), member_tracker(token, slots))
    assert dispatcher.messages == []
    assert count_rib_changes(live_portal) == 0


async def test_rib_submit_with_the_portal_hung_apologises(hung_portal) -> None:
    started = time.monotonic()
    iban = seal(NEW_IBAN.replace(" ", ""), "conv-test")
    slots = {"rib_iban": iban, "rib_bic": "AGRIFRPPXXX", "rib_confirmed": True}
    _, dispatcher = await run(ActionRibSubmit(), member_tracker("a.b.c", slots))
    assert time.monotonic() - started < 3
    assert responses(dispatcher) == ["utter_portal_unavailable_member", "utter_change_rib"]


# --- e-mail and address -----------------------------------------------------------------------
async def test_email_change_sends_a_confirmation_link_and_masks(live_portal) -> None:
    token = await login(live_portal.url)
    form = ValidateEmailChangeForm()
    result, said, _ = await validate(
        form, "new_email", "sophie arobase exemple", member_tracker(token)
    )
    assert said == ["utter_invalid_email"]
    result, said, _ = await validate(
        form, "new_email", "compta@cabinet-expert.fr", member_tracker(token)
    )
    assert said[0] == "utter_email_change_sent"
    assert result["new_email"] != "compta@cabinet-expert.fr" and "*" in result["new_email"]


async def test_address_change_summary_confirm_and_reference(live_portal) -> None:
    token = await login(live_portal.url)
    form = ValidateAddressForm()
    result, said, _ = await validate(
        form, "address_line", "12 rue des Lilas", member_tracker(token)
    )
    assert result["address_line"] == "12 rue des Lilas"
    result, said, _ = await validate(form, "address_city", "Lyon", member_tracker(token))
    assert said == ["utter_invalid_address_city"]
    t = member_tracker(token, {"address_line": "12 rue des Lilas"})
    result, said, _ = await validate(form, "address_city", "69003 lyon", t)
    assert result["address_city"] == "69003 LYON" and said == ["utter_address_summary"]
    slots = {
        "address_line": "12 rue des Lilas",
        "address_city": "69003 LYON",
        "address_confirmed": True,
    }
    _, dispatcher = await run(ActionAddressSubmit(), member_tracker(token, slots))
    said = responses(dispatcher)
    assert said[0] == "utter_address_changed_email"  # 7654321 has an e-mail on file
    assert dispatcher.messages[0]["reference"]


# --- low confidence ---------------------------------------------------------------------------
DOMAIN = {
    "responses": {
        "utter_label_change_rib": [{"text": "Changer de RIB"}],
        "utter_label_download_attestation": [{"text": "Obtenir une attestation"}],
        "utter_label_none": [{"text": "Autre chose"}],
    }
}


async def test_low_confidence_suggests_the_top_intents_then_an_advisor() -> None:
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "change_rib", "confidence": 0.35},
        {"name": "out_of_scope", "confidence": 0.2},
        {"name": "download_attestation", "confidence": 0.1},
    ]
    message = {"text": "banque truc", "intent": {"name": "nlu_fallback"}, "intent_ranking": ranking}
    dispatcher = CollectingDispatcher()
    user = {"event": "user", "parse_data": {"intent": {"name": "greet"}}}
    await ActionSuggestIntents().run(
        dispatcher, tracker(latest_message=message, events=[user, user]), DOMAIN
    )
    assert responses(dispatcher) == ["utter_did_you_mean"]
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == [
        "/change_rib",
        "/download_attestation",
        "/help",
    ]
    fallback = {"event": "user", "parse_data": {"intent": {"name": "nlu_fallback"}}}
    dispatcher = CollectingDispatcher()
    await ActionSuggestIntents().run(
        dispatcher, tracker(latest_message=message, events=[fallback, fallback]), DOMAIN
    )
    assert responses(dispatcher) == ["utter_default", "utter_offer_advisor_after_fallback"]


async def test_attestation_without_any_benefit_is_said_once_before_any_question(
    live_portal,
) -> None:
    """Jeanne contributes and receives nothing: no period asked four times, one clear answer."""
    from test_declarations import activate

    token = await login(live_portal.url, "1234567")
    slots, said = await activate(ValidateAttestationForm(), token)
    assert said == ["utter_attestation_no_benefit"]
    assert slots == {"procedure_outcome": "not_applicable", "requested_slot": None}


async def test_attestation_with_a_benefit_goes_on_to_the_questions(live_portal) -> None:
    from test_declarations import activate

    token = await login(live_portal.url)  # Sophie Bernard, invalidity pension
    slots, said = await activate(ValidateAttestationForm(), token)
    assert said == [] and slots.get("procedure_outcome") is None


async def test_contribution_calls_and_schedules_of_a_year(live_portal) -> None:
    """« appels de cotisations » and « échéanciers »: both kinds of the year, as file cards."""
    token = await login(live_portal.url, "1234567")
    t = member_tracker(token, {"document_kind": "cotisations"})
    result, said, dispatcher = await validate(ValidateDocumentsForm(), "document_year", "2025", t)
    assert result["document_year"] == "2025", said
    assert said == ["utter_documents_found"]
    titles = [m["attachment"]["payload"]["title"] for m in dispatcher.messages[1:]]
    assert titles == ["Appel de cotisations 2025", "Échéancier 2025"]
