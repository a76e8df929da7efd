"""What a message said inside a form does (carpimko/dialogue.py), for every form of the registry:
the person who asks something else is answered and not asked again; a slot is never filled with
a digression; « non » is an answer only where the form asks yes or no."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from carpimko.dialogue import AS_IF_NO_FORM, CANCEL, DROP, as_if_no_form, decide, next_step
from carpimko.procedures import registry

REGISTRY = registry()
FORMS = [p.form for p in REGISTRY.procedures]
DOMAIN = Domain.load(str(Path(__file__).parents[2] / "domain.yml"))


def first_slot(form: str) -> str:
    return REGISTRY.of_form(form).slots[0]


@pytest.mark.parametrize("form", FORMS)
def test_another_question_ends_every_form_and_is_answered_after(form: str) -> None:
    turn = decide(REGISTRY, form, "not_free_text", "bereavement")
    assert turn is not None and turn.actions == ("action_deactivate_loop", DROP)
    assert turn.answer_after


@pytest.mark.parametrize("form", FORMS)
def test_stop_ends_every_form_with_the_confirmation(form: str) -> None:
    turn = decide(REGISTRY, form, first_slot(form), "stop")
    assert turn is not None and turn.actions == ("action_deactivate_loop", CANCEL, "action_listen")


@pytest.mark.parametrize("form", FORMS)
def test_help_is_answered_and_the_form_asks_again_with_nothing_kept(form: str) -> None:
    turn = decide(REGISTRY, form, first_slot(form), "help")
    assert turn is not None and turn.actions == ("utter_help", form) and turn.restore


def test_no_is_the_answer_to_a_confirmation_and_a_stop_elsewhere() -> None:
    assert decide(REGISTRY, "rib_form", "rib_confirmed", "deny") is None
    assert decide(REGISTRY, "reset_form", "reset_replace", "deny") is None
    assert decide(REGISTRY, "reset_form", "postal_code", "deny") is None  # phone: a correction
    turn = decide(REGISTRY, "rib_form", "rib_iban", "deny")
    assert turn is not None and CANCEL in turn.actions


def test_the_form_reads_answers_its_own_intents_and_free_text() -> None:
    assert decide(REGISTRY, "rib_form", "rib_iban", "inform") is None
    assert decide(REGISTRY, "rib_form", "rib_iban", "nlu_fallback") is None
    assert decide(REGISTRY, "documents_form", "document_year", "tax_certificate") is None
    assert decide(REGISTRY, "document_form", "document_subject", "change_rib") is None
    assert decide(REGISTRY, None, None, "change_rib") is None


def test_franceconnect_replaces_the_reset_but_is_a_digression_elsewhere() -> None:
    reset = decide(REGISTRY, "reset_form", "profile", "franceconnect")
    assert reset is not None
    assert reset.actions == ("action_deactivate_loop", "utter_franceconnect", CANCEL,
                             "action_listen")  # fmt: skip
    rib = decide(REGISTRY, "rib_form", "rib_iban", "franceconnect")
    assert rib is not None and rib.actions == ("utter_franceconnect", "rib_form")


def test_the_new_question_is_seen_as_if_no_form_had_been_running() -> None:
    events = [
        ActionExecuted("action_listen"),
        UserUttered("/change_rib", {"name": "change_rib"}),
        ActionExecuted("rib_form"),
        ActiveLoop("rib_form"),
        SlotSet("requested_slot", "rib_iban"),
        ActionExecuted("action_listen"),
        UserUttered("mon mari est décédé", {"name": "bereavement"}),
        SlotSet("rib_iban", "mon mari est décédé"),
        ActionExecuted("action_deactivate_loop"),
        ActiveLoop(None),
        ActionExecuted(DROP),
        SlotSet("rib_iban", None),
    ]
    tracker = DialogueStateTracker.from_events("t", events, DOMAIN.slots)
    virtual = as_if_no_form(tracker, events, 6, DOMAIN)
    assert virtual.active_loop_name is None
    assert virtual.latest_action_name == "action_listen"
    assert (virtual.latest_message.intent or {}).get("name") == "bereavement"
    assert virtual.get_slot("rib_iban") is None


def test_each_step_of_a_new_question_then_its_answer_as_if_no_form() -> None:
    turn = decide(REGISTRY, "reset_form", "profile", "bereavement")
    assert next_step(turn, ()) == "action_deactivate_loop"
    assert next_step(turn, ("action_deactivate_loop",)) == DROP
    assert next_step(turn, ("action_deactivate_loop", DROP)) == AS_IF_NO_FORM
    # the answer's own actions ran: still answered as if no form (its second action, listen…)
    assert next_step(turn, ("action_deactivate_loop", DROP, "utter_condolences")) == AS_IF_NO_FORM


def test_a_digression_resumes_the_form_then_rule_policy_listens() -> None:
    turn = decide(REGISTRY, "rib_form", "rib_iban", "help")
    assert next_step(turn, ()) == "utter_help"
    assert next_step(turn, ("utter_help",)) == "rib_form"
    assert next_step(turn, ("utter_help", "rib_form")) is None
    assert next_step(turn, ("utter_menu",)) is None  # went another way: RulePolicy decides
    assert next_step(None, ()) is None


def test_a_service_typed_by_name_is_the_answer_not_a_new_question() -> None:
    """« cotisations » typed at « À quel service ? » is the service, not the contributions."""
    assert decide(REGISTRY, "document_form", "document_service", "contributions") is None
    assert decide(REGISTRY, "document_form", "document_service", "help") is not None


def test_an_advisor_asked_ends_the_form_even_on_a_free_text_step() -> None:
    turn = decide(REGISTRY, "document_form", "document_subject", "human_handoff")
    assert turn is not None and turn.actions == ("action_deactivate_loop", DROP)
