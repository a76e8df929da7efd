"""The right door: other bodies named from the facts file, never a guess."""

from __future__ import annotations

import pytest
from actions_testkit import responses, run, tracker

from actions.referral import ActionRefer

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.mark.parametrize(
    ("message", "body"),
    [
        ("comment déclarer mes impôts sur le revenu en ligne", "l'administration fiscale"),
        ("quel est le montant du smic cette année", "l'administration"),
        ("je veux changer d'opérateur internet", "votre opérateur"),
        ("ma carte vitale est perdue", "l'Assurance maladie"),
        ("la CAF ne m'a pas versé mes allocations familiales", "la CAF"),
        ("comment s'inscrire à France Travail", "France Travail"),
        ("refaire ma carte grise", "l'ANTS"),
        ("comment résilier ma mutuelle", "votre mutuelle"),
        ("l'URSSAF me réclame des cotisations", "l'URSSAF"),
        ("ma facture d'électricité a doublé", "votre fournisseur d'énergie"),
        (
            "mon propriétaire garde mon dépôt de garantie",
            "votre propriétaire ou votre agence immobilière",
        ),
        ("le constat amiable après mon accident de voiture", "votre assureur"),
        ("mes allocs ne sont pas arrivées", "la CAF"),
        ("combien de points sur mon permis", "l'ANTS"),
    ],
)
async def test_a_question_for_another_body_names_that_body_and_where(
    message: str, body: str
) -> None:
    events, dispatcher = await run(ActionRefer(), tracker({}, text=message, intent="out_of_scope"))
    assert responses(dispatcher) == ["utter_referral"]
    assert dispatcher.messages[0]["body"] == body
    assert dispatcher.messages[0]["where"]
    assert events == []


@pytest.mark.parametrize(
    "message", ["quelle est la capitale de l'Australie ?", "raconte-moi une blague", "🙂"]
)
async def test_unknown_is_i_do_not_know_never_a_guess(message: str) -> None:
    _, dispatcher = await run(ActionRefer(), tracker({}, text=message, intent="out_of_scope"))
    assert responses(dispatcher) == ["utter_out_of_scope"]


@pytest.mark.parametrize(
    ("message", "entities", "first"),
    [
        ("banane", [], "utter_default"),  # a lone word: not understood, no « Merci »
        ("c'est quoi le numéro qu'on me demande", [], "utter_default"),  # no value given
        ("1234567", [{"entity": "dossier_number", "value": "1234567"}], "utter_inform_no_context"),
        ("je suis ayant droit", [{"entity": "profile", "value": "ayant_droit"}],
         "utter_inform_no_context"),
    ],
)  # fmt: skip
async def test_a_value_alone_is_acknowledged_no_value_is_not_understood(
    message: str, entities: list, first: str
) -> None:
    from actions.fallback import ActionInformNoContext

    t = tracker({}, text=message, intent="inform", entities=entities)
    _, dispatcher = await run(ActionInformNoContext(), t)
    assert responses(dispatcher) == [first, "utter_menu"]
