"""LinearScorer gives sklearn's probabilities for the blender's model, on the fund's real data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from carpimko.nlu.ensemble import LinearIntentBlender
from carpimko.nlu.linear_scorer import LinearScorer

ROOT = Path(__file__).parents[2]
EDGE_CASES = [
    "",
    "   ",
    "?!",
    "zzzqqxw",
    "🙂🙂",
    "OUI",
    "oui",
    "Mon IBAN : FR76 3000 6000 0112 3456 7890 189, merci !",
    "un deux trois quatre cinq six sept",
    "j'ai " + "vraiment " * 60 + "oublié mon mot de passe",
]


def blender_config() -> dict[str, Any]:
    """The blender's options of config.yml (the served shape)."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    [step] = [s for s in config["pipeline"] if s["name"].endswith("LinearIntentBlender")]
    return {k: v for k, v in step.items() if k != "name"}


def train(tmp: Path, **overrides: Any) -> LinearIntentBlender:
    """The blender trained on data/nlu, then loaded back as Rasa loads it to serve."""
    storage = LocalModelStorage(tmp)
    resource = Resource("blender")
    context = ExecutionContext(graph_schema=None, model_id="1")  # type: ignore[arg-type]
    config = {**LinearIntentBlender.get_default_config(), **blender_config(), **overrides}
    blender = LinearIntentBlender.create(config, storage, resource, context)
    blender.train(load_data(str(ROOT / "data" / "nlu")))
    return LinearIntentBlender.load(config, storage, resource, context)


def unseen_texts() -> list[str]:
    """Held-out and off-domain messages (never trained on) and awkward inputs."""
    texts = [
        m.get(TEXT)
        for name in ("heldout.yml", "off_domain.yml")
        for m in load_data(str(ROOT / "tests" / "nlu" / name)).intent_examples
    ]
    assert len(texts) > 300
    return texts + EDGE_CASES


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> LinearIntentBlender:
    return train(tmp_path_factory.mktemp("served"))


def test_the_served_model_is_scored_by_the_fast_path(served: LinearIntentBlender) -> None:
    assert served._scorer is not None


def test_same_probabilities_as_sklearn_for_every_message(served: LinearIntentBlender) -> None:
    scorer, model = served._scorer, served._model
    assert scorer is not None and model is not None
    for text in unseen_texts():
        expected = model.predict_proba([text])[0]
        got = scorer.predict_proba(text)
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12, err_msg=text)
        assert int(np.argmax(got)) == int(np.argmax(expected)), text


def test_blended_rankings_unchanged(served: LinearIntentBlender) -> None:
    """The blender's output with the fast path is the one it gave with sklearn's."""

    def ranked(use_fast: bool) -> list[Any]:
        scorer = served._scorer
        if not use_fast:
            served._scorer = None
        try:
            out = []
            for text in unseen_texts()[:150]:
                msg = Message(data={TEXT: text})
                msg.set(INTENT, {"name": "greet", "confidence": 0.6}, add_to_output=True)
                msg.set(INTENT_RANKING_KEY, [{"name": "greet", "confidence": 0.6}], True)
                [done] = served.process([msg])
                out.append((done.get(INTENT)["name"], done.get(INTENT_RANKING_KEY)))
            return out
        finally:
            served._scorer = scorer

    fast, slow = ranked(True), ranked(False)
    for (fast_name, fast_ranking), (slow_name, slow_ranking) in zip(fast, slow, strict=True):
        assert fast_name == slow_name
        assert [r["name"] for r in fast_ranking] == [r["name"] for r in slow_ranking]
        assert [r["confidence"] for r in fast_ranking] == pytest.approx(
            [r["confidence"] for r in slow_ranking], rel=1e-9
        )


@pytest.mark.parametrize(
    "overrides",
    [{"calibration_ensemble": True}, {"calibration": "isotonic"}],
    ids=["five calibrated models", "isotonic"],
)
def test_other_model_shapes_keep_sklearn(tmp_path: Path, overrides: dict[str, Any]) -> None:
    blender = train(tmp_path, **overrides)
    assert blender._scorer is None
    msg = Message(data={TEXT: "j'ai oublié mon mot de passe"})
    msg.set(INTENT_RANKING_KEY, [{"name": "greet", "confidence": 1.0}], True)
    [done] = blender.process([msg])
    assert done.get(INTENT)["name"] == "forgot_password"


def test_a_pipeline_of_another_kind_is_refused() -> None:
    assert LinearScorer.from_pipeline(None) is None
    assert LinearScorer.from_pipeline(TrainingData()) is None
