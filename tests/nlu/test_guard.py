"""IntentGuard decisions: garbage and unsure writing procedures go to the fallback."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from carpimko.nlu.guard import IntentGuard, guard_reason


@pytest.mark.parametrize("text", ["????", "🙂", "👍👍", "...", "?!"])
def test_garbage_goes_to_the_fallback(text: str) -> None:
    assert guard_reason(text, "inform", 0.9, False, 0.5) == "garbage"


@pytest.mark.parametrize(
    "text", ["pfff", "bof", "hein", "Hein ?", "euh... ben", "mdrrr", "hahaha", "azerty", "oh là là"]
)
def test_a_message_without_a_content_word_goes_to_the_fallback(text: str) -> None:
    # Whatever the classifier made of it (a lone word is often read as a value): no value here.
    for intent in ("inform", "deny", "out_of_scope"):
        assert guard_reason(text, intent, 0.9, False, 0.5) == "garbage"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("oui", "affirm"),
        ("ok", "affirm"),
        ("non", "deny"),
        ("nan", "deny"),
        ("ah ok", "affirm"),
        ("euh oui", "affirm"),
        ("bjr", "greet"),
        ("slt", "greet"),
        ("mdp", "forgot_password"),
    ],
)
def test_known_short_answers_are_not_fillers(text: str, intent: str) -> None:
    assert guard_reason(text, intent, 0.9, False, 0.5) is None


@pytest.mark.parametrize("text", ["Lucas", "demain", "12345", "Lyon", "jean@exemple.fr"])
def test_a_lone_word_stays_inform_for_the_form_to_judge(text: str) -> None:
    # « Lucas » answers « prénom ? », « demain » a date: only the dialogue knows the question.
    assert guard_reason(text, "inform", 0.9, False, 0.5) is None


@pytest.mark.parametrize(
    ("text", "intent", "entities"),
    [
        ("1234567", "inform", True),  # a number is a value
        ("affilié", "inform", True),
        ("bonjour", "greet", False),  # one-word intents other than inform stand
        ("non", "deny", False),
        ("je suis ayant droit", "inform", True),
        ("/change_rib", "change_rib", False),  # a button payload
    ],
)
def test_values_and_short_turns_stand(text: str, intent: str, entities: bool) -> None:
    assert guard_reason(text, intent, 0.9, entities, 0.5) is None


def test_a_writing_procedure_on_a_guess_is_asked_first() -> None:
    assert guard_reason("un truc avec ma banque", "change_rib", 0.35, False, 0.5) == "unsure"
    assert guard_reason("changer mon rib", "change_rib", 0.93, False, 0.5) is None
    # A question that writes nothing is answered even when the classifier is not sure.
    assert guard_reason("mes cotisations ?", "contributions", 0.35, False, 0.5) is None


def test_the_component_keeps_the_ranking_for_the_buttons() -> None:
    message = Message(
        data={
            "text": "un truc avec ma banque",
            "intent": {"name": "change_rib", "confidence": 0.35},
            "intent_ranking": [
                {"name": "change_rib", "confidence": 0.35},
                {"name": "contributions", "confidence": 0.3},
            ],
            "entities": [],
        }
    )
    [out] = IntentGuard({"confirm_threshold": 0.5}).process([message])
    assert out.get("intent")["name"] == "nlu_fallback"
    assert [r["name"] for r in out.get("intent_ranking")] == [
        "nlu_fallback",
        "change_rib",
        "contributions",
    ]
