"""Majoration « enfant majeur » and reprise d'activité against the real portal app (not mocked).

Sophie Bernard (7654321, rente d'invalidité) may file both; Jeanne Dupont (1234567, no benefit)
is told the majoration does not apply before any question; Claire Petit (ayant droit) is told
the reprise does not apply. Portal down and portal timeout end the procedure within 3 s.
The actions' « today » follows the portal's fake clock (Wednesday 12 November 2025).
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import httpx
import pytest
from actions_testkit import responses, run, slot_events
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import text
from test_member_procedures import login, member_tracker, validate

from actions.forms import declarations
from actions.forms.declarations import (
    ActionAdultChildSubmit,
    ActionResumeWorkSubmit,
    ValidateAdultChildForm,
    ValidateResumeWorkForm,
)
from actions.procedure import PROCEDURE_SLOTS

pytestmark = pytest.mark.asyncio(loop_scope="session")
PORTAL_TODAY = date(2025, 11, 12)
CHILD = {
    "child_first_name": "Lucas",
    "child_situation": "etudes",
    "child_birth_date": "2005-03-12",
    "child_confirmed": True,
}
RESUME = {"resume_type": "therapeutique", "resume_date": "2025-12-01", "resume_confirmed": True}


@pytest.fixture(autouse=True)
def portal_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(declarations, "today", lambda: PORTAL_TODAY)


async def login_as(portal_url: str, profile: str, dossier: str) -> str:
    async with httpx.AsyncClient(base_url=portal_url) as client:
        answer = await client.post(
            "/api/v1/sessions",
            json={"profile": profile, "dossier_number": dossier, "password": "Carpimko2024"},
        )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["token"])


def procedures_of(portal: Any, kind: str) -> list[tuple[str, dict[str, Any] | str]]:
    with portal.engine.connect() as connection:
        rows = connection.execute(
            text("select reference, payload from procedures where kind = :kind"), {"kind": kind}
        ).all()
    return [(row[0], row[1]) for row in rows]


async def activate(form: Any, token: str | None) -> tuple[dict[str, Any], list[str]]:
    """The form's validation at activation (no requested slot yet), as Rasa calls it."""
    dispatcher = CollectingDispatcher()
    domain = {"forms": {form.form_name(): {"required_slots": []}}}
    events = await form.run(dispatcher, member_tracker(token), domain)
    return slot_events(events), responses(dispatcher)


# --- majoration « enfant majeur » ------------------------------------------------------------
async def test_adult_child_happy_path_files_the_request_with_reference_and_next_step(
    live_portal,
) -> None:
    token = await login(live_portal.url)
    form = ValidateAdultChildForm()
    slots, said = await activate(form, token)
    assert said == [] and "procedure_outcome" not in slots
    result, said, _ = await validate(
        form, "child_first_name", "il s'appelle lucas", member_tracker(token)
    )
    assert result["child_first_name"] == "Lucas" and said == []
    result, said, _ = await validate(
        form, "child_situation", "il fait des études à la fac", member_tracker(token)
    )
    assert result["child_situation"] == "etudes"
    t = member_tracker(token, {"child_first_name": "Lucas", "child_situation": "etudes"})
    result, said, dispatcher = await validate(form, "child_birth_date", "12/03/2005", t)
    assert result["child_birth_date"] == "2005-03-12" and said == ["utter_adult_child_summary"]
    summary = dispatcher.messages[0]
    assert summary["first_name"] == "Lucas" and summary["birth_date"] == "samedi 12 mars 2005"
    assert summary["situation"] == "poursuit des études"
    result, said, _ = await validate(form, "child_confirmed", "oui", member_tracker(token))
    assert result["child_confirmed"] is True

    events, dispatcher = await run(ActionAdultChildSubmit(), member_tracker(token, CHILD))
    assert responses(dispatcher) == [
        "utter_adult_child_sent",
        "utter_adult_child_next",
        "utter_anything_else",
    ]
    sent = dispatcher.messages[0]
    assert sent["reference"].startswith("DEM-20251112-")
    assert sent["service"] == "Service Invalidité-Décès"
    assert dispatcher.messages[1]["documents"] == "certificat de scolarité de l'année en cours"
    filed = procedures_of(live_portal, "majoration_enfant_majeur")
    assert [reference for reference, _ in filed] == [sent["reference"]]
    assert all(slot_events(events)[name] is None for name in CHILD)


async def test_adult_child_invalid_answers_are_explained_then_an_advisor_is_offered(
    live_portal,
) -> None:
    token = await login(live_portal.url)
    form = ValidateAdultChildForm()
    result, said, _ = await validate(form, "child_first_name", "06 12 34", member_tracker(token))
    assert result["child_first_name"] is None and said == ["utter_invalid_child_first_name"]
    t = member_tracker(token, {"form_failures": result["form_failures"]})
    result, said, _ = await validate(form, "child_first_name", "je sais pas trop moi", t)
    assert said == [
        "utter_invalid_child_first_name",
        "utter_explain_child_first_name",
        "utter_offer_advisor",
    ]
    result, said, _ = await validate(form, "child_situation", "rien", member_tracker(token))
    assert said == ["utter_invalid_child_situation"]
    t = member_tracker(token, {"child_situation": "etudes"})
    for answer, refusal in (
        ("31/02/2005", "utter_invalid_child_birth_date"),
        ("14 mai", "utter_invalid_child_birth_date"),  # a birth date needs its year
    ):
        result, said, _ = await validate(form, "child_birth_date", answer, t)
        assert result["child_birth_date"] is None and said[0] == refusal, answer
    t = member_tracker(token, {"child_situation": "handicap", "child_first_name": "Léa"})
    result, said, _ = await validate(form, "child_birth_date", "14 mai 1995", t)
    assert result["child_birth_date"] == "1995-05-14"


async def test_adult_child_age_is_the_portals_to_judge(live_portal) -> None:
    """No age rule in the bot (none published): the portal's own reason is relayed."""
    token = await login(live_portal.url)
    t = member_tracker(token, {"child_situation": "etudes", "child_first_name": "Léa"})
    result, said, _ = await validate(ValidateAdultChildForm(), "child_birth_date", "14/05/2012", t)
    assert result["child_birth_date"] == "2012-05-14" and said == ["utter_adult_child_summary"]
    slots = {**CHILD, "child_birth_date": "2012-05-14"}
    _, dispatcher = await run(ActionAdultChildSubmit(), member_tracker(token, slots))
    assert responses(dispatcher) == ["utter_portal_refused", "utter_offer_advisor"]
    assert "18 ans" in dispatcher.messages[0]["message"]
    assert procedures_of(live_portal, "majoration_enfant_majeur") == []


async def test_adult_child_declined_sends_nothing(live_portal) -> None:
    token = await login(live_portal.url)
    result, said, _ = await validate(
        ValidateAdultChildForm(), "child_confirmed", False, member_tracker(token)
    )
    assert said == ["utter_adult_child_not_sent"] and result["procedure_outcome"] == "cancelled"
    slots = {**CHILD, "child_confirmed": False, "procedure_outcome": "cancelled"}
    _, dispatcher = await run(ActionAdultChildSubmit(), member_tracker(token, slots))
    assert dispatcher.messages == []
    assert procedures_of(live_portal, "majoration_enfant_majeur") == []


async def test_adult_child_without_benefit_is_told_before_any_question(live_portal) -> None:
    token = await login(live_portal.url, "1234567")
    slots, said = await activate(ValidateAdultChildForm(), token)
    assert said == ["utter_adult_child_form_not_applicable"]
    assert slots == {"procedure_outcome": "not_applicable", "requested_slot": None}


async def test_adult_child_submit_with_the_portal_hung_apologises_within_3_s(
    hung_portal,
) -> None:
    started = time.monotonic()
    events, dispatcher = await run(ActionAdultChildSubmit(), member_tracker("a.b.c", CHILD))
    assert time.monotonic() - started < 3
    assert responses(dispatcher) == [
        "utter_portal_unavailable_member",
        "utter_adult_child_increase",
    ]
    assert slot_events(events)["procedure_outcome"] is None  # cleared for the next procedure


async def test_adult_child_portal_down_at_activation_gives_the_way_to_do_it(closed_port) -> None:
    started = time.monotonic()
    slots, said = await activate(ValidateAdultChildForm(), "a.b.c")
    assert time.monotonic() - started < 3
    assert said == ["utter_portal_unavailable_member", "utter_adult_child_increase"]
    assert slots["procedure_outcome"] == "unavailable" and slots["requested_slot"] is None


# --- reprise d'activité ------------------------------------------------------------------------
async def test_resume_work_happy_path_with_reference(live_portal) -> None:
    token = await login(live_portal.url)
    form = ValidateResumeWorkForm()
    slots, said = await activate(form, token)
    assert said == [] and "procedure_outcome" not in slots
    result, said, _ = await validate(
        form, "resume_type", "à mi-temps thérapeutique", member_tracker(token)
    )
    assert result["resume_type"] == "therapeutique"
    result, said, _ = await validate(form, "resume_type", "temps_complet", member_tracker(token))
    assert result["resume_type"] == "temps_complet"
    t = member_tracker(token, {"resume_type": "therapeutique"})
    result, said, dispatcher = await validate(form, "resume_date", "le 1er décembre", t)
    assert result["resume_date"] == "2025-12-01" and said == ["utter_resume_summary"]
    assert dispatcher.messages[0]["resume_label"] == "à des fins thérapeutiques"
    assert dispatcher.messages[0]["resume_date"] == "lundi 1er décembre 2025"
    result, said, _ = await validate(form, "resume_confirmed", True, member_tracker(token))
    assert result["resume_confirmed"] is True

    _, dispatcher = await run(ActionResumeWorkSubmit(), member_tracker(token, RESUME))
    assert responses(dispatcher) == [
        "utter_resume_sent",
        "utter_resume_next_therapeutique",
        "utter_anything_else",
    ]
    reference = dispatcher.messages[0]["reference"]
    filed = procedures_of(live_portal, "reprise_activite")
    assert [ref for ref, _ in filed] == [reference]
    assert "therapeutique" in str(filed[0][1]) and "2025-12-01" in str(filed[0][1])


async def test_resume_work_invalid_answers_then_explanation(live_portal) -> None:
    token = await login(live_portal.url)
    form = ValidateResumeWorkForm()
    result, said, _ = await validate(form, "resume_type", "bientôt", member_tracker(token))
    assert result["resume_type"] is None and said == ["utter_invalid_resume_type"]
    t = member_tracker(token, {"form_failures": result["form_failures"]})
    result, said, _ = await validate(form, "resume_type", "je ne sais pas", t)
    assert said == ["utter_invalid_resume_type", "utter_explain_resume_type", "utter_offer_advisor"]
    t = member_tracker(token, {"resume_type": "temps_complet"})
    result, said, _ = await validate(form, "resume_date", "un de ces jours", t)
    assert said == ["utter_invalid_resume_date"]
    # No window in the bot (none published): an old date goes to the summary, the portal judges.
    result, said, _ = await validate(form, "resume_date", "01/12/2023", t)
    assert result["resume_date"] == "2023-12-01" and said == ["utter_resume_summary"]


async def test_resume_work_for_an_ayant_droit_does_not_apply(live_portal) -> None:
    token = await login_as(live_portal.url, "ayant_droit", "123456789")
    slots, said = await activate(ValidateResumeWorkForm(), token)
    assert said == ["utter_resume_work_form_not_applicable"]
    assert slots["procedure_outcome"] == "not_applicable"


async def test_resume_work_expired_session_stops(live_portal) -> None:
    _, dispatcher = await run(ActionResumeWorkSubmit(), member_tracker("faux.jeton.x", RESUME))
    assert responses(dispatcher) == ["utter_identity_refused"]
    assert procedures_of(live_portal, "reprise_activite") == []


async def test_resume_work_submit_with_the_portal_hung_apologises_within_3_s(
    hung_portal,
) -> None:
    started = time.monotonic()
    _, dispatcher = await run(ActionResumeWorkSubmit(), member_tracker("a.b.c", RESUME))
    assert time.monotonic() - started < 3
    assert responses(dispatcher) == ["utter_portal_unavailable_member", "utter_resume_work"]


async def test_resume_work_date_refused_by_the_portal_is_repeated_in_french(live_portal) -> None:
    token = await login(live_portal.url)
    # Accepted by the bot, refused by the portal: its message is said as is.
    slots = {**RESUME, "resume_date": "2024-11-01"}
    _, dispatcher = await run(ActionResumeWorkSubmit(), member_tracker(token, slots))
    assert responses(dispatcher) == ["utter_portal_refused", "utter_offer_advisor"]
    assert "douze mois" in dispatcher.messages[0]["message"]


# --- shared pieces -------------------------------------------------------------------------------
async def test_stop_forgets_the_new_procedures_slots() -> None:
    for name in (*CHILD, *RESUME):
        assert name in PROCEDURE_SLOTS
