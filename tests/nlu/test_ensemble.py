"""Tests of LinearIntentBlender: the calibrated linear model blended with DIET's ranking."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import (
    FEATURE_TYPE_SENTENCE,
    INTENT,
    INTENT_RANKING_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from carpimko.nlu.ensemble import LinearIntentBlender, blend_rankings

VOCABULARY = ["mot", "passe", "oublie", "rib", "iban", "banque", "bonjour", "salut"]
TRAINING = {
    "forgot_password": ["mot passe oublie", "oublie mot", "passe oublie", "mot passe"],
    "change_rib": ["rib banque", "iban banque", "rib iban", "banque rib"],
    "greet": ["bonjour", "salut", "bonjour salut", "salut bonjour"],
}


def message(text: str, intent: str | None = None) -> Message:
    """A message with a bag-of-words sentence feature, as CountVectorsFeaturizer would add."""
    counts = [text.split().count(word) for word in VOCABULARY]
    data: dict[str, Any] = {TEXT: text}
    if intent:
        data[INTENT] = intent
    msg = Message(data=data)
    matrix = scipy.sparse.coo_matrix(np.array([counts], dtype=float))
    msg.add_features(Features(matrix, FEATURE_TYPE_SENTENCE, TEXT, "words"))
    return msg


def with_diet_ranking(msg: Message, ranking: dict[str, float]) -> Message:
    """Set the intent and ranking DIET would have set."""
    best = max(ranking, key=ranking.__getitem__)
    msg.set(INTENT, {"name": best, "confidence": ranking[best]}, add_to_output=True)
    msg.set(
        INTENT_RANKING_KEY,
        [{"name": n, "confidence": c} for n, c in ranking.items()],
        add_to_output=True,
    )
    return msg


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def trained(storage: LocalModelStorage, **config: Any) -> LinearIntentBlender:
    """Train on the toy data, persist, and load back as Rasa would at inference."""
    resource = Resource("blender")
    context = ExecutionContext(graph_schema=None, model_id="1")  # type: ignore[arg-type]
    blender = LinearIntentBlender.create(
        {**LinearIntentBlender.get_default_config(), "calibration_folds": 2, **config},
        storage,
        resource,
        context,
    )
    examples = [message(t, i) for i, texts in TRAINING.items() for t in texts]
    blender.train(TrainingData(training_examples=examples))
    return LinearIntentBlender.load(
        {**LinearIntentBlender.get_default_config(), **config}, storage, resource, context
    )


def test_blend_weights_the_two_rankings_and_counts_missing_intents_as_zero() -> None:
    ranking = blend_rankings({"a": 0.6, "b": 0.4}, {"b": 0.9, "c": 0.1}, weight=0.5)
    assert ranking[0][0] == "b"
    assert dict(ranking) == pytest.approx({"a": 0.3, "b": 0.65, "c": 0.05})


def test_linear_model_corrects_a_diet_error_on_a_clear_message(storage: LocalModelStorage) -> None:
    blender = trained(storage, weight=0.7)
    msg = with_diet_ranking(message("mot passe oublie"), {"greet": 0.55, "forgot_password": 0.45})
    [result] = blender.process([msg])
    assert result.get(INTENT)["name"] == "forgot_password"
    ranking = result.get(INTENT_RANKING_KEY)
    assert ranking[0]["name"] == "forgot_password"
    assert [r["confidence"] for r in ranking] == sorted(
        (r["confidence"] for r in ranking), reverse=True
    )
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)


def test_weight_zero_keeps_diet_decision(storage: LocalModelStorage) -> None:
    blender = trained(storage, weight=0.0)
    msg = with_diet_ranking(message("mot passe oublie"), {"greet": 0.55, "forgot_password": 0.45})
    [result] = blender.process([msg])
    assert result.get(INTENT) == {"name": "greet", "confidence": pytest.approx(0.55)}


def test_untrained_component_passes_diet_ranking_through(storage: LocalModelStorage) -> None:
    context = ExecutionContext(graph_schema=None, model_id="1")  # type: ignore[arg-type]
    blender = LinearIntentBlender.load(
        LinearIntentBlender.get_default_config(), storage, Resource("missing"), context
    )
    msg = with_diet_ranking(message("rib banque"), {"greet": 0.8, "change_rib": 0.2})
    [result] = blender.process([msg])
    assert result.get(INTENT)["name"] == "greet"


def test_config_blends_after_diet_and_thresholds_the_blend() -> None:
    """The blend must see DIET's ranking, and the fallback must see the blend."""
    import yaml

    config = yaml.safe_load((Path(__file__).parents[2] / "config.yml").read_text(encoding="utf-8"))
    names = [step["name"] for step in config["pipeline"]]
    blender = names.index("carpimko.nlu.ensemble.LinearIntentBlender")
    assert names.index("DIETClassifier") < blender < names.index("FallbackClassifier")
    assert 0.0 < config["pipeline"][blender]["weight"] < 1.0  # DIET keeps a say in intents


def test_text_features_ignore_accents_and_case(storage: LocalModelStorage) -> None:
    """With ``features: text`` the linear model reads the message text, folded."""
    blender = trained(storage, weight=1.0, features="text", calibration="isotonic")
    typed = with_diet_ranking(Message(data={TEXT: "mot passe oublié"}), {"greet": 1.0})
    shouted = with_diet_ranking(Message(data={TEXT: "MOT PASSE OUBLIE"}), {"greet": 1.0})
    [typed, shouted] = blender.process([typed, shouted])
    assert typed.get(INTENT)["name"] == "forgot_password"
    assert typed.get(INTENT_RANKING_KEY) == shouted.get(INTENT_RANKING_KEY)


def test_text_features_need_no_featurizer(storage: LocalModelStorage) -> None:
    """A message without sparse features is still classified from its text."""
    blender = trained(storage, weight=0.9, features="text")
    msg = with_diet_ranking(Message(data={TEXT: "iban banque"}), {"greet": 0.6, "change_rib": 0.4})
    [result] = blender.process([msg])
    assert result.get(INTENT)["name"] == "change_rib"
