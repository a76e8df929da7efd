"""The development split used for model choices comes from the training data only."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from rasa.shared.nlu.training_data.loading import load_data

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import dev_split  # noqa: E402


def test_split_is_a_stratified_partition_of_the_training_data(tmp_path: Path) -> None:
    dev_split.split(ROOT / "data" / "nlu", tmp_path, share=0.2, seed=0)
    full = load_data(str(ROOT / "data" / "nlu"))
    train = load_data(str(tmp_path / "train"))
    dev = load_data(str(tmp_path / "dev.yml"))

    texts = Counter(m.get("text") for m in full.intent_examples)
    train_texts = Counter(m.get("text") for m in train.intent_examples)
    dev_texts = Counter(m.get("text") for m in dev.intent_examples)
    assert train_texts + dev_texts == texts
    assert not set(dev_texts) & set(train_texts)
    # Every intent is represented on both sides, in about the requested proportion.
    for intent, n in Counter(m.get("intent") for m in full.intent_examples).items():
        n_dev = sum(m.get("intent") == intent for m in dev.intent_examples)
        assert 1 <= n_dev <= n // 2, intent
    # Entity annotations and the pattern features travel with the training part.
    assert train.regex_features and train.lookup_tables and train.entity_synonyms
    annotated = [m for m in dev.intent_examples if m.get("entities")]
    assert annotated, "annotated entities were lost in the development part"
