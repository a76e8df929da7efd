"""The server loads DIET for prediction without Rasa's one-step training
(carpimko.rasa_patches.fast_load): it must understand every message exactly as the model loaded
Rasa's way does."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from rasa.core.agent import Agent
from rasa.utils.tensorflow.models import RasaModel

from carpimko.rasa_patches import fast_load

MODEL = Path(__file__).resolve().parents[2] / "models" / "carpimko.tar.gz"
MESSAGES = [
    "j'ai oublié mon mot de passe",
    "je n'arrive pas à me connecter à mon espace personnel",
    "mon numéro de dossier est 1234567",
    "c'est le 123 456 789",
    "je voudrais une attestation de paiement",
    "envoyez le par courrier",
    "mon adresse mail c'est jeanne.martin@example.fr",
    "mon iban FR76 3000 6000 0112 3456 7890 189",
    "je veux parler à un conseiller",
    "quels sont vos horaires",
    "bonjour",
    "merci au revoir",
    "oui",
    "non pas du tout",
    "je veux réserver un billet de train pour Lyon",
    "asdkjh qwe",
]


def understood(agent: Agent) -> list[tuple[Any, ...]]:
    async def parse_all() -> list[tuple[Any, ...]]:
        results = []
        for text in MESSAGES:
            parsed = await agent.parse_message(text)
            ranking = [(i["name"], round(i["confidence"], 5)) for i in parsed["intent_ranking"]]
            entities = [(e["entity"], e["value"], e.get("extractor")) for e in parsed["entities"]]
            results.append((text, ranking, entities))
        return results

    return asyncio.run(parse_all())


def test_the_model_loaded_for_prediction_understands_every_message_as_rasa_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert MODEL.exists(), "make model first"
    monkeypatch.setattr(RasaModel, "load", RasaModel.__dict__["load"])  # restored afterwards
    as_rasa_does = understood(Agent.load(str(MODEL)))

    fast_load.install()
    fast_load.install()  # idempotent
    assert getattr(RasaModel.load.__func__, "_carpimko_fast", False)
    fast = understood(Agent.load(str(MODEL)))

    assert fast == as_rasa_does
    assert len({ranking[0][0] for _, ranking, _ in fast}) >= 8  # a real model, many intents


def test_predictions_call_the_traced_graph_directly(monkeypatch: pytest.MonkeyPatch) -> None:
    """The direct call is really used (never the fallback) on every message."""
    monkeypatch.setattr(RasaModel, "load", RasaModel.__dict__["load"])  # restored afterwards
    fast_load.install()
    agent = Agent.load(str(MODEL))
    steps = [
        node._component.model._tf_predict_step
        for node in agent.processor.graph_runner._instantiated_nodes.values()
        if type(getattr(node, "_component", None)).__name__ == "DIETClassifier"
    ]
    assert steps and all(isinstance(s, fast_load.DirectPredict) for s in steps)
    understood(agent)
    assert [s.fallbacks for s in steps] == [0]
