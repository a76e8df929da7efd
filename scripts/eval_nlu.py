"""Evaluate the trained NLU model on the held-out sets, against a TF-IDF + LinearSVC baseline.

Used by ``make eval``. The Rasa model is loaded in process and parses every held-out message;
the baseline is trained here, on the same ``data/nlu`` examples, in the same run. Training time
of the Rasa model is measured by the caller, because training happens in ``rasa train`` before
this script runs: ``make`` writes it to ``var/train-seconds.txt`` and passes
``--train-seconds-file`` (``--train-seconds N`` gives it directly).

Scoring conventions:
- ``nlu_fallback`` is a rejection, scored as ``out_of_scope`` (the user hears that the assistant
  cannot help); an in-scope message rejected is an error of its intent.
- Entities are compared as (entity, value) pairs per message, values brought to the contract's
  canonical form on both sides (a dossier number annotated « 12 34 567 » is ``1234567``).
- The accent-stripped variant parses the same held-out messages stripped of accents and
  lower-cased.
- Rejection rates are compared with the baseline's by a paired bootstrap over the messages
  (``nlu_stats``), and the report counts the evaluated messages that the training data copies
  (``nlu_leakage``): a copy measures memory, not understanding.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.svm import LinearSVC

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from nlu_leakage import NEAR, SHORT_TURN_WORDS, find_leaks, is_short_turn  # noqa: E402
from nlu_stats import RESAMPLES, Margin, paired_margin, render_margin  # noqa: E402

from carpimko.facts import find_referral  # noqa: E402
from carpimko.nlu.components import canonical_value  # noqa: E402
from carpimko.text.normalize import fold  # noqa: E402

OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"
REJECTIONS = frozenset({OUT_OF_SCOPE, FALLBACK})
KEY_ENTITIES = ("dossier_number", "iban", "email")
SECTION_START = "<!-- eval:start -->"
SECTION_END = "<!-- eval:end -->"

EntitySet = Counter  # Counter of (entity, canonical value)


@dataclass
class Example:
    """One labelled message."""

    text: str
    intent: str
    entities: EntitySet = field(default_factory=Counter)


@dataclass
class Prediction:
    """What a model returned for one message."""

    intent: str
    entities: EntitySet
    ranking: list[tuple[str, float]]
    seconds: float
    unthresholded: str = ""
    """The model's best intent before any fallback threshold (``out_of_scope`` stays an intent)."""


Parser = Callable[[Sequence[str]], list[Prediction]]


def load_examples(path: Path) -> list[Example]:
    """Read Rasa YAML with Rasa's own loader, canonicalising annotated entity values."""
    from rasa.shared.nlu.training_data.loading import load_data

    examples = []
    for message in load_data(str(path)).intent_examples:
        entities: EntitySet = Counter()
        for entity in message.get("entities") or []:
            value = canonical_value(entity["entity"], str(entity.get("value", "")))
            entities[(entity["entity"], value)] += 1
        examples.append(Example(message.get("text"), message.get("intent"), entities))
    return examples


def strip_variant(examples: Sequence[Example]) -> list[Example]:
    """The same messages without accents and in lower case."""
    return [Example(fold(e.text), e.intent, e.entities) for e in examples]


# --------------------------------------------------------------------------- Rasa model


def rasa_parser(model: Path) -> Parser:
    """Load the trained model once and return a function that parses messages in process."""
    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)  # per-message debug lines would swamp the report
    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()

    def parse(texts: Sequence[str]) -> list[Prediction]:
        return loop.run_until_complete(_parse_all(agent, texts))

    parse(["bonjour", "mot de passe oublié", "1234567"])  # warm-up: lazy graph loading
    return parse


async def _parse_all(agent: object, texts: Sequence[str]) -> list[Prediction]:
    predictions = []
    for text in texts:
        start = time.perf_counter()
        result = await agent.parse_message(text)  # type: ignore[attr-defined]
        predictions.append(prediction_from_result(result, time.perf_counter() - start))
    return predictions


def prediction_from_result(result: dict, seconds: float) -> Prediction:
    """Read Rasa's parse result; the best intent under ``nlu_fallback`` is kept as well."""
    entities: EntitySet = Counter(
        (e["entity"], str(e.get("value"))) for e in result.get("entities", [])
    )
    ranking = [(r["name"], float(r["confidence"])) for r in result.get("intent_ranking", [])]
    intent = result["intent"]["name"]
    best = next((name for name, _ in ranking if name != FALLBACK), intent)
    return Prediction(intent, entities, ranking, seconds, best)


# --------------------------------------------------------------------------- baseline


@dataclass
class Baseline:
    """TF-IDF (word 1-2 + char_wb 2-5) + LinearSVC with a score threshold for rejection."""

    threshold: float
    train_seconds: float
    model: object

    def parse(self, texts: Sequence[str]) -> list[Prediction]:
        """Predict one message at a time so that the timing is comparable with Rasa."""
        predictions = []
        for text in texts:
            start = time.perf_counter()
            scores = self.model.decision_function([text])[0]  # type: ignore[attr-defined]
            best = int(np.argmax(scores))
            unthresholded = str(self.model.classes_[best])  # type: ignore[attr-defined]
            intent = FALLBACK if scores[best] < self.threshold else unthresholded
            elapsed = time.perf_counter() - start
            predictions.append(Prediction(intent, Counter(), [], elapsed, unthresholded))
        return predictions


def _baseline_pipeline() -> object:
    features = FeatureUnion(
        [
            ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        ]
    )
    return make_pipeline(features, LinearSVC(C=1.0, random_state=0))


def train_baseline(train: Sequence[Example]) -> Baseline:
    """Fit the baseline; choose its rejection threshold by 5-fold cross-validation.

    The threshold maximises the cross-validated macro-F1 (rejections scored as out_of_scope)
    on the training data only.
    """
    texts = [e.text for e in train]
    labels = np.array([e.intent for e in train])
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    scores = cross_val_predict(
        _baseline_pipeline(), texts, labels, cv=folds, method="decision_function"
    )
    classes = np.array(sorted(set(labels)))
    best_class = classes[scores.argmax(axis=1)]
    best_score = scores.max(axis=1)
    threshold = max(
        np.arange(-1.0, 0.51, 0.05),
        key=lambda t: _macro_f1(labels, np.where(best_score < t, OUT_OF_SCOPE, best_class)),
    )
    start = time.perf_counter()
    model = _baseline_pipeline()
    model.fit(texts, labels)  # type: ignore[attr-defined]
    return Baseline(float(threshold), time.perf_counter() - start, model)


# --------------------------------------------------------------------------- metrics


def _scored_intent(intent: str) -> str:
    return OUT_OF_SCOPE if intent in REJECTIONS else intent


def _macro_f1(y_true: Iterable[str], y_pred: Iterable[str]) -> float:
    y_true, y_pred = list(y_true), [_scored_intent(p) for p in y_pred]
    return float(f1_score(y_true, y_pred, labels=sorted(set(y_true)), average="macro"))


@dataclass
class Scores:
    """Every figure of the report for one model."""

    macro_f1: float
    per_intent: list[tuple[str, float, float, int]]
    confusions: list[tuple[str, str, int]]
    entities: dict[str, tuple[float, float, int]]
    oos_rejection: float
    in_scope_rejection: float
    stripped_macro_f1: float
    median_parse_ms: float
    unthresholded: tuple[float, float, float]
    """Macro-F1, out-of-scope and in-scope rejection without the fallback threshold."""
    off_rejected: list[bool] = field(default_factory=list)
    """Per off-domain message: rejected (for the paired bootstrap against the other model)."""
    in_scope_rejected: list[bool] = field(default_factory=list)
    """Per in-scope held-out message: rejected."""


def intent_scores(examples: Sequence[Example], predictions: Sequence[Prediction]) -> tuple:
    """Macro-F1, per-intent (precision, recall, support) and the worst confusions."""
    y_true = [e.intent for e in examples]
    y_pred = [_scored_intent(p.intent) for p in predictions]
    labels = sorted(set(y_true))
    precision, recall, _, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    per_intent = [
        (label, float(p), float(r), int(s))
        for label, p, r, s in zip(labels, precision, recall, support, strict=True)
    ]
    confusions = Counter((t, p) for t, p in zip(y_true, y_pred, strict=True) if t != p)
    worst = [(t, p, n) for (t, p), n in confusions.most_common(10)]
    return _macro_f1(y_true, y_pred), per_intent, worst


def entity_scores(
    examples: Sequence[Example], predictions: Sequence[Prediction]
) -> dict[str, tuple[float, float, int]]:
    """Exact-value precision and recall per entity type, with the gold count."""
    true_pos: Counter = Counter()
    gold: Counter = Counter()
    predicted: Counter = Counter()
    for example, prediction in zip(examples, predictions, strict=True):
        for (entity, _), n in example.entities.items():
            gold[entity] += n
        for (entity, _), n in prediction.entities.items():
            predicted[entity] += n
        for (entity, _), n in (example.entities & prediction.entities).items():
            true_pos[entity] += n
    result = {}
    for entity in sorted(set(gold) | set(predicted)):
        precision = true_pos[entity] / predicted[entity] if predicted[entity] else 0.0
        recall = true_pos[entity] / gold[entity] if gold[entity] else 0.0
        result[entity] = (precision, recall, gold[entity])
    return result


def rejection_rate(predictions: Sequence[Prediction]) -> float:
    """Share of messages answered with « I cannot help » (out_of_scope or fallback)."""
    if not predictions:
        return 0.0
    return sum(p.intent in REJECTIONS for p in predictions) / len(predictions)


def score_model(parse: Parser, heldout: Sequence[Example], off_domain: Sequence[Example]) -> Scores:
    """Run one model over the held-out, stripped and off-domain sets."""
    predictions = parse([e.text for e in heldout])
    macro, per_intent, confusions = intent_scores(heldout, predictions)
    stripped = strip_variant(heldout)
    stripped_macro, _, _ = intent_scores(stripped, parse([e.text for e in stripped]))
    pairs = zip(heldout, predictions, strict=True)
    in_scope = [p for e, p in pairs if e.intent != OUT_OF_SCOPE]
    off_predictions = parse([e.text for e in off_domain])
    bare = [_without_threshold(p) for p in predictions]
    unthresholded = (
        _macro_f1([e.intent for e in heldout], [p.intent for p in bare]),
        rejection_rate([_without_threshold(p) for p in off_predictions]),
        rejection_rate([_without_threshold(p) for p in in_scope]),
    )
    return Scores(
        macro_f1=macro,
        per_intent=per_intent,
        confusions=confusions,
        entities=entity_scores(heldout, predictions),
        oos_rejection=rejection_rate(off_predictions),
        in_scope_rejection=rejection_rate(in_scope),
        stripped_macro_f1=stripped_macro,
        median_parse_ms=1000 * statistics.median(p.seconds for p in predictions),
        unthresholded=unthresholded,
        off_rejected=[p.intent in REJECTIONS for p in off_predictions],
        in_scope_rejected=[p.intent in REJECTIONS for p in in_scope],
    )


def _without_threshold(p: Prediction) -> Prediction:
    """The prediction as if the model had no fallback threshold."""
    return Prediction(p.unthresholded or p.intent, p.entities, p.ranking, p.seconds)


SWEEP_THRESHOLDS = (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7)


def threshold_sweep(
    parse: Parser, heldout: Sequence[Example], off_domain: Sequence[Example]
) -> list[tuple[float, float, float, float]]:
    """Macro-F1 and rejection rates as a function of the fallback threshold.

    Recomputed from the intent ranking (the model's own FallbackClassifier is bypassed), so one
    parse gives the whole curve. Use it on a development set, not on the held-out set.
    """
    held = parse([e.text for e in heldout])
    off = parse([e.text for e in off_domain])
    rows = []
    for threshold in SWEEP_THRESHOLDS:

        def decide(p: Prediction, t: float = threshold) -> str:
            ranking = [r for r in p.ranking if r[0] != FALLBACK]
            return FALLBACK if not ranking or ranking[0][1] < t else ranking[0][0]

        held_pred = [Prediction(decide(p), p.entities, p.ranking, p.seconds) for p in held]
        off_pred = [Prediction(decide(p), p.entities, p.ranking, p.seconds) for p in off]
        pairs = zip(heldout, held_pred, strict=True)
        in_scope = [p for e, p in pairs if e.intent != OUT_OF_SCOPE]
        macro = _macro_f1([e.intent for e in heldout], [p.intent for p in held_pred])
        rows.append((threshold, macro, rejection_rate(off_pred), rejection_rate(in_scope)))
    return rows


# --------------------------------------------------------------------------- report


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def render_report(
    rasa: Scores,
    baseline: Scores,
    baseline_model: Baseline,
    train_counts: Counter,
    meta: dict[str, str],
) -> str:
    """Markdown report; also readable as plain text in a terminal."""
    lines = [
        f"Command: `{meta['command']}`  ",
        f"Held-out: `{meta['heldout']}` ({meta['n_heldout']} messages), off-domain: "
        f"`{meta['off_domain']}` ({meta['n_off']} messages), training data: "
        f"`{meta['train']}` ({sum(train_counts.values())} examples).",
        "",
        "### Summary",
        "",
        "| figure | Rasa pipeline | TF-IDF + LinearSVC baseline | target |",
        "| --- | --- | --- | --- |",
        f"| intent macro-F1 | {rasa.macro_f1:.3f} | {baseline.macro_f1:.3f} | ≥ 0.93, > baseline |",
        f"| intent macro-F1 without fallback threshold | {rasa.unthresholded[0]:.3f} | "
        f"{baseline.unthresholded[0]:.3f} | (comparison) |",
        f"| macro-F1, accents stripped + lower case | {rasa.stripped_macro_f1:.3f} "
        f"(Δ {100 * (rasa.stripped_macro_f1 - rasa.macro_f1):+.1f} pts) | "
        f"{baseline.stripped_macro_f1:.3f} | loss ≤ 3 pts |",
        f"| out-of-scope rejection (off-domain set) | {_pct(rasa.oos_rejection)} | "
        f"{_pct(baseline.oos_rejection)} | ≥ 85 % |",
        f"| in-scope messages rejected | {_pct(rasa.in_scope_rejection)} | "
        f"{_pct(baseline.in_scope_rejection)} | ≤ 5 % |",
        f"| without threshold: out-of-scope / in-scope rejected | "
        f"{_pct(rasa.unthresholded[1])} / {_pct(rasa.unthresholded[2])} | "
        f"{_pct(baseline.unthresholded[1])} / {_pct(baseline.unthresholded[2])} | (comparison) |",
        f"| median parse time per message | {rasa.median_parse_ms:.1f} ms | "
        f"{baseline.median_parse_ms:.2f} ms | ≤ 20 ms |",
        f"| training time | {meta['train_seconds']} | {baseline_model.train_seconds:.1f} s "
        f"(rejection threshold {baseline_model.threshold:.2f}, chosen by 5-fold CV) | ≤ 5 min |",
        "",
        "Both models are scored the same way: a rejection (the pipeline's `nlu_fallback`, the "
        "baseline's decision score below its threshold) counts as `out_of_scope`, so an "
        "in-scope message rejected is an error of its intent. Each model has its own rejection "
        "threshold chosen on its training data only (the pipeline's on the development split, "
        "the baseline's by 5-fold cross-validation). The « without fallback threshold » rows "
        "drop both thresholds: each model answers its best intent, `out_of_scope` included.",
        "",
        "### Entities (Rasa pipeline, exact canonical value)",
        "",
        "| entity | precision | recall (= exact-value accuracy) | gold count | target |",
        "| --- | --- | --- | --- | --- |",
    ]
    for entity, (precision, recall, n) in rasa.entities.items():
        target = "accuracy ≥ 0.95" if entity in KEY_ENTITIES else ""
        lines.append(f"| {entity} | {precision:.3f} | {recall:.3f} | {n} | {target} |")
    lines += [
        "",
        "The baseline classifies intents only (no entities).",
        "",
        "### Per intent",
        "",
        "| intent | train examples | Rasa precision | Rasa recall | baseline precision "
        "| baseline recall | held-out support |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    base = {label: (p, r) for label, p, r, _ in baseline.per_intent}
    for label, precision, recall, support in rasa.per_intent:
        bp, br = base.get(label, (0.0, 0.0))
        lines.append(
            f"| {label} | {train_counts.get(label, 0)} | {precision:.2f} | {recall:.2f} "
            f"| {bp:.2f} | {br:.2f} | {support} |"
        )
    lines += [
        "",
        "### Worst confusions (Rasa pipeline)",
        "",
        "| true | predicted | count |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {t} | {p} | {n} |" for t, p, n in rasa.confusions] or ["| — | — | 0 |"]
    lines += [
        "",
        "### Worst confusions (baseline)",
        "",
        "| true | predicted | count |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {t} | {p} | {n} |" for t, p, n in baseline.confusions] or ["| — | — | 0 |"]
    return "\n".join(lines) + "\n"


def guard_sweep(
    parse: Parser, sets: Mapping[str, Sequence[Example]], writing: Sequence[str]
) -> str:
    """IntentGuard's ``confirm_threshold``: per set, in-scope messages whose best intent is a
    writing procedure sent to the confirmation (confidence between the fallback threshold 0.2
    and t), and off-domain messages taken for a writing procedure at or above t."""
    thresholds = (0.3, 0.4, 0.5, 0.6)
    lines = [
        "### IntentGuard confirm threshold (writing procedures confirmed first)",
        "",
        "| set | "
        + " | ".join(f"t = {t}: confirmed / off-domain written" for t in thresholds)
        + " |",
        "| --- |" + " --- |" * len(thresholds),
    ]
    for name, examples in sets.items():
        best = [
            next(((n, c) for n, c in p.ranking if n != FALLBACK), (FALLBACK, 0.0))
            for p in parse([e.text for e in examples])
        ]
        rows = list(zip(examples, best, strict=True))
        inside = [b for e, b in rows if e.intent not in (OUT_OF_SCOPE, GARBAGE)]
        outside = [b for e, b in rows if e.intent == OUT_OF_SCOPE]
        cells = []
        for t in thresholds:
            confirmed = sum(n in writing and 0.2 <= c < t for n, c in inside)
            written = sum(n in writing and c >= t for n, c in outside)
            cells.append(f"{confirmed}/{len(inside)} / {written}/{len(outside)}")
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def render_sweep(rows: Sequence[tuple[float, float, float, float]], source: str) -> str:
    """Markdown table of the fallback-threshold sweep."""
    lines = [
        f"### Fallback threshold sweep on `{source}`",
        "",
        "| threshold | macro-F1 | off-domain rejected | in-scope rejected |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {t:.2f} | {m:.3f} | {_pct(o)} | {_pct(i)} |" for t, m, o, i in rows]
    return "\n".join(lines) + "\n"


GARBAGE = "garbage"
"""Label of the other-bodies set for noise (« ???? », emoji, a lone word): not a model intent."""


def other_bodies_rows(
    examples: Sequence[Example], predictions: Sequence[Prediction]
) -> dict[str, tuple[int, int]]:
    """(hits, total) per figure of the « questions for other bodies » section."""
    pairs = list(zip(examples, predictions, strict=True))
    others = [(e, p) for e, p in pairs if e.intent == OUT_OF_SCOPE]
    near = [(e, p) for e, p in pairs if e.intent not in (OUT_OF_SCOPE, GARBAGE)]
    noise = [p for e, p in pairs if e.intent == GARBAGE]
    rejected = [(e, p) for e, p in others if p.intent in REJECTIONS]
    return {
        "rejected": (len(rejected), len(others)),
        "referred": (sum(find_referral(e.text) is not None for e, _ in rejected), len(others)),
        "near_kept": (sum(p.intent == e.intent for e, p in near), len(near)),
        "noise_fallback": (sum(p.intent == FALLBACK for p in noise), len(noise)),
        "noise_inform": (sum(p.intent == "inform" for p in noise), len(noise)),
    }


def render_other_bodies(
    rasa: dict[str, tuple[int, int]], baseline: dict[str, tuple[int, int]], source: str
) -> str:
    """Markdown table: the pipeline beside the baseline on the other-bodies set."""

    def cell(row: tuple[int, int]) -> str:
        hits, total = row
        return f"{hits}/{total} ({_pct(hits / total if total else 0.0)})"

    labels = [
        ("rejected", "questions for other bodies rejected (out_of_scope or fallback)", "≥ 90 %"),
        ("referred", "… and referred to a named body by `action_refer` (facts table)", ""),
        ("near_kept", "the fund's business near another body, right intent", "all"),
        ("noise_fallback", "garbage (« ???? », emoji, a lone word) → fallback", "all"),
        ("noise_inform", "garbage read as `inform`", "0"),
    ]
    lines = [
        f"### Questions for other bodies (`{source}`)",
        "",
        "| figure | Rasa pipeline | TF-IDF + LinearSVC baseline | target |",
        "| --- | --- | --- | --- |",
    ]
    for key, label, target in labels:
        base = "—" if key == "referred" else cell(baseline[key])
        lines.append(f"| {label} | {cell(rasa[key])} | {base} | {target} |")
    lines += [
        "",
        "The baseline has no fallback component: its rejections are decision scores below its "
        "threshold; it refers nobody (the referral is the action's, from `carpimko/facts.yml`).",
    ]
    return "\n".join(lines) + "\n"


def write_section(path: Path, body: str) -> None:
    """Replace the generated section of ``path`` (between markers), keeping the prose."""
    section = f"{SECTION_START}\n{body}{SECTION_END}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# NLU results\n\n"
    if SECTION_START in text and SECTION_END in text:
        head, rest = text.split(SECTION_START, 1)
        _, tail = rest.split(SECTION_END, 1)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def _train_seconds(value: str | None) -> str:
    """Format the training time given as a number or as a file containing one."""
    if not value:
        return "not measured (pass --train-seconds-file)"
    path = Path(value)
    raw = path.read_text(encoding="utf-8").strip() if path.is_file() else value
    return f"{float(raw):.0f} s"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, type=Path, help="trained Rasa model archive")
    parser.add_argument("--train-data", type=Path, default=ROOT / "data" / "nlu")
    parser.add_argument("--heldout", type=Path, default=ROOT / "tests" / "nlu" / "heldout.yml")
    parser.add_argument(
        "--off-domain",
        type=Path,
        default=ROOT / "tests" / "nlu" / "off_domain.yml",
        help="off-domain set; '-' takes the out_of_scope examples of --heldout",
    )
    parser.add_argument("--train-seconds", help="training time of the model, in seconds")
    parser.add_argument(
        "--train-seconds-file", help="file holding the training time (written by make)"
    )
    parser.add_argument(
        "--other-bodies",
        type=Path,
        default=ROOT / "tests" / "nlu" / "other_bodies.yml",
        help="questions for other bodies, near-body fund questions and garbage ('-': none)",
    )
    parser.add_argument("--sweep", action="store_true", help="print a fallback threshold sweep")
    parser.add_argument(
        "--drop-copies",
        action="store_true",
        help="score only the --heldout messages that have no (near) copy in the training data "
        "(for a development set that the training data was grown from)",
    )
    parser.add_argument(
        "--guard-sweep",
        nargs="*",
        type=Path,
        help="print IntentGuard's confirm-threshold sweep on these sets (Rasa YAML)",
    )
    parser.add_argument(
        "--list-errors",
        action="store_true",
        help="list every misclassified message of the sets read, with the baseline's answer "
        "(for development sets only: reading a test set's errors spends it)",
    )
    parser.add_argument(
        "--refer-sweep",
        action="store_true",
        help="print IntentGuard's refer_threshold sweep (referral evidence), recomputed from "
        "the ranking of a model trained with refer_threshold 0; development sets only",
    )
    parser.add_argument("--write", type=Path, help="markdown file whose eval section to update")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Evaluate, print the report, optionally write it into the docs."""
    args = parse_args(argv)
    train = load_examples(args.train_data)
    heldout = load_examples(args.heldout)
    if args.drop_copies:
        copied = {leak.test_text for leak in find_leaks(_texts(train), _texts(heldout))}
        heldout = [e for e in heldout if e.text not in copied]
    if str(args.off_domain) == "-":  # development sets carry their off-domain examples inline
        off_domain = [e for e in heldout if e.intent == OUT_OF_SCOPE]
    else:
        off_domain = load_examples(args.off_domain)

    baseline_model = train_baseline(train)
    baseline = score_model(baseline_model.parse, heldout, off_domain)
    parse = rasa_parser(args.model)
    rasa = score_model(parse, heldout, off_domain)

    meta = {
        "command": "make eval",
        "heldout": _relative(args.heldout),
        "off_domain": _relative(args.off_domain),
        "train": _relative(args.train_data),
        "n_heldout": str(len(heldout)),
        "n_off": str(len(off_domain)),
        "train_seconds": _train_seconds(args.train_seconds or args.train_seconds_file),
    }
    report = render_report(rasa, baseline, baseline_model, Counter(e.intent for e in train), meta)
    sets = {meta["heldout"]: heldout, meta["off_domain"]: off_domain}
    margins = [
        ("off-domain set rejected", paired_margin(rasa.off_rejected, baseline.off_rejected)),
        (
            "in-scope messages rejected",
            paired_margin(rasa.in_scope_rejected, baseline.in_scope_rejected),
        ),
    ]
    if str(args.other_bodies) != "-":
        others = load_examples(args.other_bodies)
        sets[_relative(args.other_bodies)] = others
        texts = _texts(others)
        rasa_others, baseline_others = parse(texts), baseline_model.parse(texts)
        report += "\n" + render_other_bodies(
            other_bodies_rows(others, rasa_others),
            other_bodies_rows(others, baseline_others),
            _relative(args.other_bodies),
        )
        margins.append(
            (
                "off-domain set + questions for other bodies rejected",
                paired_margin(
                    rasa.off_rejected + _rejected_questions(others, rasa_others),
                    baseline.off_rejected + _rejected_questions(others, baseline_others),
                ),
            )
        )
    report += "\n" + render_margins(margins) + "\n" + render_leaks(train, sets)
    if args.sweep:
        report += "\n" + render_sweep(
            threshold_sweep(parse, heldout, off_domain), _relative(args.heldout)
        )
    if args.guard_sweep:
        from carpimko.nlu.guard import WRITING_INTENTS

        swept = {_relative(path): load_examples(path) for path in args.guard_sweep}
        report += "\n" + guard_sweep(parse, swept, WRITING_INTENTS)
    if args.list_errors or args.refer_sweep:
        read = {name: (examples, parse(_texts(examples))) for name, examples in sets.items()}
    if args.list_errors:
        report += "\n" + render_errors(
            {n: (ex, pred, baseline_model.parse(_texts(ex))) for n, (ex, pred) in read.items()}
        )
    if args.refer_sweep:
        report += "\n" + render_refer_sweep(
            read, baseline.off_rejected, meta["heldout"], meta["off_domain"]
        )
    print(report)
    if args.write:
        write_section(args.write, report)
    return 0


def is_error(example: Example, prediction: Prediction) -> bool:
    """Wrong answer: garbage not sent to the fallback, or another intent than the label's."""
    if example.intent == GARBAGE:
        return prediction.intent != FALLBACK
    return _scored_intent(prediction.intent) != example.intent


def _confidence(prediction: Prediction, intent: str) -> float:
    return next((c for n, c in prediction.ranking if n == intent), 0.0)


def render_errors(
    sets: Mapping[str, tuple[Sequence[Example], Sequence[Prediction], Sequence[Prediction]]],
) -> str:
    """Every message the pipeline got wrong, set by set, with the baseline's answer beside it.

    For development sets: the errors are what one reads to decide what to change.
    """
    lines = ["### Errors, message by message (Rasa pipeline; baseline in brackets)", ""]
    for name, (examples, predictions, base) in sets.items():
        rows = [
            (e, p, b) for e, p, b in zip(examples, predictions, base, strict=True) if is_error(e, p)
        ]
        lines.append(f"`{name}`: {len(rows)} errors of {len(examples)}")
        lines.append("")
        for e, p, b in rows:
            best = p.unthresholded or p.intent
            lines.append(
                f"- {e.intent} → {p.intent} ({best} {_confidence(p, best):.2f}) "
                f"[baseline: {b.intent}] « {e.text} »"
            )
        lines.append("")
    return "\n".join(lines)


REFER_THRESHOLDS = (0.0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)


def refer_decision(example: Example, prediction: Prediction, threshold: float) -> str:
    """The pipeline's decision had IntentGuard's ``refer_threshold`` been ``threshold``."""
    from carpimko.nlu.guard import refers_elsewhere

    intent = prediction.intent
    if intent in REJECTIONS:
        return intent
    confidence = _confidence(prediction, intent)
    return OUT_OF_SCOPE if refers_elsewhere(example.text, intent, confidence, threshold) else intent


def render_refer_sweep(
    read: Mapping[str, tuple[Sequence[Example], Sequence[Prediction]]],
    baseline_off: Sequence[bool],
    heldout_name: str,
    off_name: str,
) -> str:
    """Macro-F1, rejection rates and the fund's near-body questions kept, per refer_threshold,
    with the off-domain margin against the baseline."""
    lines = [
        "### IntentGuard refer_threshold sweep (another body named, not the fund)",
        "",
        "| refer_threshold | macro-F1 | in-scope rejected | off-domain rejected "
        "| vs baseline [95 %] | other sets: out_of_scope rejected / fund intents kept |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    held, held_pred = read[heldout_name]
    off, off_pred = read[off_name]
    others = {n: v for n, v in read.items() if n not in (heldout_name, off_name)}
    for t in REFER_THRESHOLDS:
        decided = [refer_decision(e, p, t) for e, p in zip(held, held_pred, strict=True)]
        in_scope = [
            d in REJECTIONS for e, d in zip(held, decided, strict=True) if e.intent != OUT_OF_SCOPE
        ]
        off_rejected = [
            refer_decision(e, p, t) in REJECTIONS for e, p in zip(off, off_pred, strict=True)
        ]
        margin = paired_margin(off_rejected, baseline_off)
        cells = []
        for examples, predictions in others.values():
            pairs = [
                (e, refer_decision(e, p, t)) for e, p in zip(examples, predictions, strict=True)
            ]
            oos = [d in REJECTIONS for e, d in pairs if e.intent == OUT_OF_SCOPE]
            kept = [d == e.intent for e, d in pairs if e.intent not in (OUT_OF_SCOPE, GARBAGE)]
            cells.append(f"{sum(oos)}/{len(oos)} / {sum(kept)}/{len(kept)}")
        lines.append(
            f"| {t:.2f} | {_macro_f1([e.intent for e in held], decided):.3f} "
            f"| {_pct(sum(in_scope) / max(1, len(in_scope)))} | {_pct(margin.first)} "
            f"| {100 * margin.difference:+.1f} [{100 * margin.low:+.1f}, {100 * margin.high:+.1f}] "
            f"| {'; '.join(cells)} |"
        )
    return "\n".join(lines) + "\n"


def _texts(examples: Sequence[Example]) -> list[str]:
    return [e.text for e in examples]


def _rejected_questions(
    examples: Sequence[Example], predictions: Sequence[Prediction]
) -> list[bool]:
    """Per out_of_scope example of the other-bodies set: rejected."""
    pairs = zip(examples, predictions, strict=True)
    return [p.intent in REJECTIONS for e, p in pairs if e.intent == OUT_OF_SCOPE]


def render_margins(margins: Sequence[tuple[str, Margin]]) -> str:
    """Markdown table: the pipeline's rates against the baseline's, with 95 % intervals."""
    lines = [
        "### Margins against the baseline (paired bootstrap over the messages, 95 % interval)",
        "",
        "| figure | Rasa pipeline | baseline | difference [95 % interval] | beyond noise |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [render_margin(f"{label} (n = {m.n})", m) for label, m in margins]
    lines += [
        "",
        f"{RESAMPLES} resamples with replacement of the messages, both models' outcomes kept "
        "together (`scripts/nlu_stats.py`).",
    ]
    return "\n".join(lines) + "\n"


def render_leaks(train: Sequence[Example], sets: Mapping[str, Sequence[Example]]) -> str:
    """Markdown table: how many messages of each evaluated set the training data contains."""
    lines = [
        "### Protocol: evaluated messages that the training data contains",
        "",
        f"| set | messages | with a copy in `data/nlu` (cosine ≥ {NEAR}) | of which ≤ "
        f"{SHORT_TURN_WORDS} words |",
        "| --- | --- | --- | --- |",
    ]
    for name, examples in sets.items():
        copied = {leak.test_text for leak in find_leaks(_texts(train), _texts(examples))}
        short = sum(is_short_turn(text) for text in copied)
        lines.append(f"| `{name}` | {len(examples)} | {len(copied)} | {short} |")
    lines += [
        "",
        "Copies are found by `scripts/nlu_leakage.py`; `tests/nlu/test_eval_protocol.py` fails "
        "when an off-domain message, or a held-out message of more than "
        f"{SHORT_TURN_WORDS} words, has one.",
    ]
    return "\n".join(lines) + "\n"


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
