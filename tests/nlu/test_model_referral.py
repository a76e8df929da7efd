"""Through the trained model: another body's question is out of scope (``action_refer`` names
the body), the fund's own questions near another body keep their fund intent.

The messages come from the development sets of issue 17's third pass (tests/nlu/dev_*.yml),
never from the test sets."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from rasa.core.agent import Agent

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "carpimko.tar.gz"
sys.path.insert(0, str(ROOT / "scripts"))

from eval_nlu import load_examples  # noqa: E402

from carpimko.facts import find_referral  # noqa: E402

NEAR_BODY = [(e.text, e.intent) for e in load_examples(ROOT / "tests/nlu/dev_near_body.yml")]
ELSEWHERE = [
    ("mon numero fiscal je le trouve ou", "l'administration fiscale"),
    ("combien de points il me reste sur mon permis", "l'ANTS"),
    ("je dois m'inscrire sur les listes électorales, c'est où", "l'administration"),
    ("jai demenage, il faut refaire le certificat d immatriculation du vehicule ?", "l'ANTS"),
]


@pytest.fixture(scope="module")
def intents() -> dict[str, str]:
    assert MODEL.exists(), "train the model first (make model)"
    agent = Agent.load(str(MODEL))
    texts = [text for text, _ in (*NEAR_BODY, *ELSEWHERE)]

    async def parse_all() -> dict[str, str]:
        return {text: (await agent.parse_message(text))["intent"]["name"] for text in texts}

    return asyncio.run(parse_all())


@pytest.mark.parametrize(("text", "body"), ELSEWHERE)
def test_another_bodys_question_is_out_of_scope_and_referred(
    text: str, body: str, intents: dict[str, str]
) -> None:
    assert intents[text] == "out_of_scope"
    referral = find_referral(text)
    assert referral is not None and referral.body == body


@pytest.mark.parametrize(("text", "intent"), NEAR_BODY)
def test_the_funds_question_near_another_body_keeps_its_intent(
    text: str, intent: str, intents: dict[str, str]
) -> None:
    assert intents[text] == intent
