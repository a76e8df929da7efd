"""How much of a difference between two models on the same messages is noise.

Paired bootstrap: the messages of a set are resampled with replacement, both models' outcomes on
each drawn message are kept together, and the difference of their rates is recomputed on every
resample. The 2.5th and 97.5th percentiles of those differences are the 95 % interval; when it
excludes 0, the difference is larger than what the choice of messages alone would give. (It
says nothing about the noise of training: the pipeline's seed is fixed, the baseline's SVM is
deterministic.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

RESAMPLES = 10_000
SEED = 0


@dataclass(frozen=True)
class Margin:
    """Difference of two rates on the same messages (first minus second) and its interval."""

    first: float
    second: float
    low: float
    high: float
    n: int

    @property
    def difference(self) -> float:
        """First rate minus second rate."""
        return self.first - self.second

    def excludes_zero(self) -> bool:
        """True when the 95 % interval lies entirely on one side of 0."""
        return self.low > 0 or self.high < 0


def paired_margin(first: Sequence[bool], second: Sequence[bool], seed: int = SEED) -> Margin:
    """Rates of ``first`` and ``second`` (one outcome per message, same order) and the 95 %
    paired-bootstrap interval of their difference."""
    a = np.asarray(first, dtype=float)
    b = np.asarray(second, dtype=float)
    if a.shape != b.shape or not a.size:
        raise ValueError("two non-empty outcome lists of the same messages are needed")
    draws = np.random.default_rng(seed).integers(0, a.size, size=(RESAMPLES, a.size))
    differences = a[draws].mean(axis=1) - b[draws].mean(axis=1)
    low, high = np.percentile(differences, [2.5, 97.5])
    return Margin(float(a.mean()), float(b.mean()), float(low), float(high), int(a.size))


def render_margin(label: str, margin: Margin) -> str:
    """One markdown table row: rates, difference in points and its interval."""
    verdict = "yes" if margin.excludes_zero() else "no (within noise)"
    return (
        f"| {label} | {100 * margin.first:.1f} % | {100 * margin.second:.1f} % | "
        f"{100 * margin.difference:+.1f} pts [{100 * margin.low:+.1f}, {100 * margin.high:+.1f}]"
        f" | {verdict} |"
    )
