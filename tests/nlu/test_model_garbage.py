"""Through the trained model: noise and fillers reach the fallback (« Vouliez-vous dire… ? »),
values and short answers keep their intent."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.core.agent import Agent

MODEL = Path(__file__).resolve().parents[2] / "models" / "carpimko.tar.gz"


@pytest.fixture(scope="module")
def intents() -> dict[str, str]:
    assert MODEL.exists(), "train the model first (make model)"
    agent = Agent.load(str(MODEL))
    texts = [*GARBAGE, *(text for text, _ in KEPT)]

    async def parse_all() -> dict[str, str]:
        return {text: (await agent.parse_message(text))["intent"]["name"] for text in texts}

    return asyncio.run(parse_all())


GARBAGE = ["pfff", "bof", "hein", "Hein ?", "euh", "mdr", "azerty", "????", "🙂", "👍👍"]
KEPT = [
    ("Lucas", "inform"),  # a child's first name, asked by the form
    ("demain", "inform"),  # a date, asked by the form
    ("1234567", "inform"),
    ("oui", "affirm"),
    ("non", "deny"),
    ("bonjour", "greet"),
]


@pytest.mark.parametrize("text", GARBAGE)
def test_noise_and_fillers_go_to_the_fallback(text: str, intents: dict[str, str]) -> None:
    assert intents[text] == "nlu_fallback"


@pytest.mark.parametrize(("text", "intent"), KEPT)
def test_values_and_short_answers_keep_their_intent(
    text: str, intent: str, intents: dict[str, str]
) -> None:
    assert intents[text] == intent
