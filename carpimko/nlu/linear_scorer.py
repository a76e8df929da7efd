"""The blender's calibrated linear model scored for one message, without sklearn's batch path.

Why: ``Pipeline.predict_proba`` on one message took 1.9–2.5 ms (docs/benchmarks.md, session 6),
most of it input validation and sparse-matrix bookkeeping (two TF-IDF blocks, their
``hstack``, CSR checks, one calibrator call per intent) around arithmetic on about a hundred
non-zero n-grams. :class:`LinearScorer` reads the fitted pipeline's own parts (analyzers,
vocabularies, idf, the SVM's weights, the sigmoid calibrators) and does the same arithmetic
with plain dicts and one NumPy gather. It supports exactly the shape the blender fits with
``features: text`` and ``calibration_ensemble: false`` (a ``FeatureUnion`` of
``TfidfVectorizer``\\ s, then ``CalibratedClassifierCV`` with one sigmoid-calibrated
``LinearSVC``); for any other model :meth:`LinearScorer.from_pipeline` returns None and the
blender keeps sklearn's path. tests/nlu/test_linear_scorer.py compares both on real data.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV, _SigmoidCalibration
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC


@dataclass(frozen=True)
class _Block:
    """One ``TfidfVectorizer`` of the union: its analyzer, vocabulary, idf and column offset."""

    analyze: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: np.ndarray
    sublinear: bool
    offset: int

    def weights(self, text: str) -> dict[int, float]:
        """The block's L2-normalised TF-IDF weights of ``text``, by column of the union."""
        vocabulary = self.vocabulary
        counts = Counter(vocabulary[t] for t in self.analyze(text) if t in vocabulary)
        if not counts:
            return {}
        weights = {
            column: (1.0 + math.log(count) if self.sublinear else float(count))
            * float(self.idf[column])
            for column, count in counts.items()
        }
        norm = math.sqrt(sum(w * w for w in weights.values()))
        return {self.offset + c: w / norm for c, w in weights.items()}


def _block(vectorizer: Any, offset: int) -> _Block | None:
    if not isinstance(vectorizer, TfidfVectorizer):
        return None
    if vectorizer.norm != "l2" or not vectorizer.use_idf or vectorizer.binary:
        return None
    return _Block(
        analyze=vectorizer.build_analyzer(),
        vocabulary=dict(vectorizer.vocabulary_),
        idf=np.asarray(vectorizer.idf_, dtype=np.float64),
        sublinear=bool(vectorizer.sublinear_tf),
        offset=offset,
    )


class LinearScorer:
    """Class probabilities of the blender's fitted model for one text, as sklearn computes them."""

    def __init__(
        self,
        blocks: list[_Block],
        coef: np.ndarray,
        intercept: np.ndarray,
        slopes: np.ndarray,
        offsets: np.ndarray,
    ) -> None:
        """Parts read from a fitted pipeline by :meth:`from_pipeline`."""
        self._blocks = blocks
        self._coef = coef
        self._intercept = intercept
        self._slopes = slopes
        self._offsets = offsets

    @classmethod
    def from_pipeline(cls, pipeline: Any) -> LinearScorer | None:
        """The scorer of ``pipeline``, or None when its shape is not the supported one."""
        if not isinstance(pipeline, Pipeline) or len(pipeline.steps) != 2:
            return None
        union, calibrated = pipeline.steps[0][1], pipeline.steps[1][1]
        if not isinstance(union, FeatureUnion) or union.transformer_weights:
            return None
        if not isinstance(calibrated, CalibratedClassifierCV):
            return None
        if len(calibrated.calibrated_classifiers_) != 1:
            return None
        fitted = calibrated.calibrated_classifiers_[0]
        svm = fitted.base_estimator
        if not isinstance(svm, LinearSVC) or len(fitted.classes) < 3:
            return None
        if list(svm.classes_) != list(fitted.classes):
            return None
        if not all(isinstance(c, _SigmoidCalibration) for c in fitted.calibrators):
            return None
        blocks: list[_Block] = []
        offset = 0
        for _, vectorizer in union.transformer_list:
            block = _block(vectorizer, offset)
            if block is None:
                return None
            blocks.append(block)
            offset += len(block.vocabulary)
        if offset != svm.coef_.shape[1]:
            return None
        return cls(
            blocks,
            np.asarray(svm.coef_, dtype=np.float64),
            np.asarray(svm.intercept_, dtype=np.float64),
            np.array([c.a_ for c in fitted.calibrators], dtype=np.float64),
            np.array([c.b_ for c in fitted.calibrators], dtype=np.float64),
        )

    def predict_proba(self, text: str) -> np.ndarray:
        """Probabilities per class, in the pipeline's ``classes_`` order."""
        weights: dict[int, float] = {}
        for block in self._blocks:
            weights.update(block.weights(text))
        scores = self._intercept.copy()
        if weights:
            columns = np.fromiter(weights, dtype=np.intp, count=len(weights))
            values = np.fromiter(weights.values(), dtype=np.float64, count=len(weights))
            scores += self._coef[:, columns] @ values
        proba = expit(-(self._slopes * scores + self._offsets))
        total = proba.sum()
        if total == 0:
            return np.full_like(proba, 1 / len(proba))
        proba /= total
        proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
        return proba
