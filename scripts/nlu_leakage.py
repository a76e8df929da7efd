"""Which evaluation messages the training data already contains (the eval protocol's check).

A test message that is also a training example (or a near copy of one) measures memory, not
generalisation, and flatters both the pipeline and the baseline trained on the same data. This
module finds such pairs so that ``make eval`` can print them and a test can forbid them for the
sets where no copy is acceptable (the off-domain sets). Near copy: cosine ≥ ``NEAR`` between
the TF-IDF character 2-5-gram vectors of the accent-folded, lower-cased texts without their end
punctuation (« Raconte-moi une blague. » and « raconte-moi une blague » are the same message).

Usage (lists the pairs; exit status 1 when an off-domain set has one):

    .venv/bin/python scripts/nlu_leakage.py
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from carpimko.text.normalize import fold  # noqa: E402

NEAR = 0.9
"""Cosine from which a training example counts as a copy of a test message."""
OFF_DOMAIN_SETS = (
    "tests/nlu/off_domain.yml",
    "tests/nlu/other_bodies.yml",
    "tests/nlu/dev_off_domain.yml",
    "tests/nlu/dev_off_domain_b.yml",
    "tests/nlu/dev_near_body.yml",
)
"""Sets scored for rejection: none of their messages may be in the training data (the
development ones included, so that choosing on them measures generalisation, not memory)."""
SHORT_TURN_WORDS = 3
"""Held-out messages of at most this many words (« Oui », « Merci beaucoup », « changer de
RIB ») have few other wordings: their copies are reported, not forbidden."""


@dataclass(frozen=True)
class Leak:
    """A test message and the training example that (nearly) copies it."""

    test_text: str
    train_text: str
    similarity: float


def _key(text: str) -> str:
    folded = fold(text).strip()
    return folded.strip(" .?!…").strip() or folded  # « ???? » stays itself


def find_leaks(train: Sequence[str], tests: Sequence[str], near: float = NEAR) -> list[Leak]:
    """Every (test message, training example) pair at cosine ≥ ``near`` or equal once folded."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not train or not tests:
        return []
    train_keys = [_key(t) for t in train]
    test_keys = [_key(t) for t in tests]
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)).fit(train_keys)
    similarity = (vectorizer.transform(test_keys) @ vectorizer.transform(train_keys).T).toarray()
    leaks = []
    for i, text in enumerate(tests):
        for j, example in enumerate(train):
            if test_keys[i] == train_keys[j] or similarity[i, j] >= near:
                score = 1.0 if test_keys[i] == train_keys[j] else float(similarity[i, j])
                leaks.append(Leak(text, example, min(score, 1.0)))
    return leaks


def is_short_turn(text: str) -> bool:
    """A turn of at most ``SHORT_TURN_WORDS`` words, whose copy is tolerated in held-out."""
    return len(_key(text).replace("'", " ").split()) <= SHORT_TURN_WORDS


def main() -> int:
    """Print the leaks of every set of ``tests/nlu``; fail when an off-domain set has one."""
    from eval_nlu import load_examples

    train = [e.text for e in load_examples(ROOT / "data" / "nlu")]
    status = 0
    for name in ("tests/nlu/heldout.yml", *OFF_DOMAIN_SETS):
        leaks = find_leaks(train, [e.text for e in load_examples(ROOT / name)])
        forbidden = [
            leak for leak in leaks if name in OFF_DOMAIN_SETS or not is_short_turn(leak.test_text)
        ]
        copied = {leak.test_text for leak in leaks}
        print(f"{name}: {len(copied)} messages copied, {len(forbidden)} forbidden pairs")
        for leak in forbidden:
            print(f"  {leak.similarity:.2f}  {leak.test_text!r}  ~  {leak.train_text!r}")
        status |= bool(forbidden)
    return status


if __name__ == "__main__":
    sys.exit(main())
