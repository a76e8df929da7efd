"""IntentGuard decisions: garbage and unsure writing procedures go to the fallback, another
body's question (named, with an unsure fund intent) to out_of_scope."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from carpimko.nlu.guard import IntentGuard, guard_reason, names_the_fund, refers_elsewhere


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


def _parsed(text: str, *ranking: tuple[str, float]) -> Message:
    """A message as the classifiers leave it: best intent first in the ranking."""
    name, confidence = ranking[0]
    return Message(
        data={
            "text": text,
            "intent": {"name": name, "confidence": confidence},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
            "entities": [],
        }
    )


def test_the_component_keeps_the_ranking_for_the_buttons() -> None:
    message = _parsed("un truc avec ma banque", ("change_rib", 0.35), ("contributions", 0.3))
    [out] = IntentGuard({"confirm_threshold": 0.5}).process([message])
    assert out.get("intent")["name"] == "nlu_fallback"
    assert [r["name"] for r in out.get("intent_ranking")] == [
        "nlu_fallback",
        "change_rib",
        "contributions",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "mon numero fiscal je le trouve ou",  # the tax office
        "combien de points il me reste sur mon permis",  # the ANTS
        "je dois m'inscrire sur les listes électorales, c'est où",  # the administration
        "mes allocs sont pas tombées ce mois",  # the CAF
    ],
)
def test_another_body_named_with_an_unsure_fund_intent_is_out_of_scope(text: str) -> None:
    assert guard_reason(text, "tax_certificate", 0.62, False, 0.4, 0.7) == "elsewhere"


def test_a_confident_fund_intent_stands_even_when_another_body_is_named() -> None:
    text = "attestation pour déclarer aux impôts"
    assert guard_reason(text, "tax_certificate", 0.74, False, 0.4, 0.7) is None
    # Without the referral evidence (the default), an unsure intent is not turned away.
    assert guard_reason("mon numero fiscal", "tax_certificate", 0.62, False, 0.4) is None


@pytest.mark.parametrize(
    "text",
    [
        "ma banque a rejeté le prélèvement de la CARPIMKO, je fais quoi",
        "la caf me demande une attestation de votre caisse",
        "qui paie mes indemnités pendant mon arrêt, la cpam ou la carpimko",
        "quel est votre numéro, la cpam m'a dit de vous appeler",
        "le montant de ma rente à déclarer aux impôts",
    ],
)
def test_the_funds_own_questions_near_another_body_keep_their_intent(text: str) -> None:
    """The fund named or addressed (« carpimko », « votre caisse », « vous appeler », its rente)
    outweighs the other body, however unsure the classifier."""
    assert names_the_fund(text)
    assert not refers_elsewhere(text, "contributions", 0.3, 0.7)


def test_other_funds_named_caisse_are_not_the_fund() -> None:
    assert not names_the_fund("la caisse primaire ne m'a pas remboursé")
    assert not names_the_fund("ma caisse d'allocations familiales")
    assert refers_elsewhere("la caisse primaire ne m'a pas remboursé la cpam", "contact", 0.5, 0.7)


def test_no_other_body_named_is_no_evidence() -> None:
    """A question naming no body is not turned away on a guess: the classifier decides."""
    assert not refers_elsewhere("c'est quoi la capitale du Pérou", "help", 0.3, 0.7)


def test_the_component_answers_another_bodys_question_as_out_of_scope() -> None:
    message = _parsed(
        "mon numero fiscal je le trouve ou", ("tax_certificate", 0.61), ("out_of_scope", 0.2)
    )
    config = {"confirm_threshold": 0.4, "refer_threshold": 0.7}
    [out] = IntentGuard(config).process([message])
    assert out.get("intent")["name"] == "out_of_scope"
    assert [r["name"] for r in out.get("intent_ranking")] == ["out_of_scope", "tax_certificate"]
