"""Model choices on a development split carved from the training data, never on tests/.

``split`` writes a stratified 80/20 split of ``data/nlu`` (fixed seed) to ``var/dev/``: the
training part (with the regexes, lookups and synonyms of ``entities.yml``) and the development
part. Train an NLU model on the training part with the configuration under study:

    flock /work/wt/heavy.lock .venv/bin/rasa train nlu --nlu var/dev/train -c config.yml \
        --out var/dev --fixed-model-name dev

``sweep`` then parses the development part once with that model and recomputes the intent
decision for every blend weight of ``LinearIntentBlender`` and every fallback threshold
(DIET's and the linear model's rankings are captured separately, so one parse gives the whole
grid); it also prints the worst confusions and entity exact-value scores of the model as
configured. The held-out sets of ``tests/nlu`` are not read.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import eval_nlu  # noqa: E402

DEV_DIR = ROOT / "var" / "dev"
WEIGHTS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
THRESHOLDS = (0.0, 0.2, 0.3, 0.4, 0.5)
AMBIGUITIES = (0.0, 0.05, 0.1)


def split(data: Path, out: Path, share: float, seed: int) -> None:
    """Write ``out/train/nlu.yml`` and ``out/dev.yml``, stratified by intent."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.model_selection import train_test_split

    full = load_data(str(data))
    examples = full.intent_examples
    labels = [m.get("intent") for m in examples]
    train, dev = train_test_split(examples, test_size=share, stratify=labels, random_state=seed)
    (out / "train").mkdir(parents=True, exist_ok=True)
    train_data = TrainingData(
        training_examples=train,
        entity_synonyms=full.entity_synonyms,
        regex_features=full.regex_features,
        lookup_tables=full.lookup_tables,
    )
    writer = RasaYAMLWriter()
    (out / "train" / "nlu.yml").write_text(writer.dumps(train_data), encoding="utf-8")
    (out / "dev.yml").write_text(
        writer.dumps(TrainingData(training_examples=dev)), encoding="utf-8"
    )
    print(f"train {len(train)} / dev {len(dev)} examples → {out}")


Rankings = tuple[dict[str, float], dict[str, float]]


def _capture_rankings() -> list[Rankings]:
    """Patch the blender (in this process only) to record DIET's and the linear ranking.

    One entry per parsed message, in parsing order (the text the blender sees may differ from
    the input: passwords are redacted first).
    """
    from rasa.shared.nlu.constants import INTENT_RANKING_KEY

    from carpimko.nlu.ensemble import LinearIntentBlender

    captured: list[Rankings] = []
    original = LinearIntentBlender.process

    def process(self: LinearIntentBlender, messages: list) -> list:
        for message in messages:
            diet = {
                r["name"]: float(r["confidence"]) for r in message.get(INTENT_RANKING_KEY) or []
            }
            captured.append((diet, self._linear_ranking(message)))
        return original(self, messages)

    LinearIntentBlender.process = process  # type: ignore[method-assign]
    return captured


def _decide(
    diet: dict[str, float], linear: dict[str, float], weight: float, threshold: float, amb: float
) -> str:
    from carpimko.nlu.ensemble import blend_rankings

    ranking = (
        blend_rankings(diet, linear, weight)
        if linear
        else sorted(diet.items(), key=lambda item: -item[1])
    )
    if not ranking:
        return eval_nlu.FALLBACK
    best = ranking[0][1]
    second = ranking[1][1] if len(ranking) > 1 else 0.0
    if best < threshold or best - second < amb:
        return eval_nlu.FALLBACK
    return ranking[0][0]


def sweep(model: Path, dev_file: Path) -> None:
    """Print the weight × threshold × ambiguity grid, then the configured model's errors."""
    captured = _capture_rankings()
    dev = eval_nlu.load_examples(dev_file)
    variants = [("raw", dev), ("stripped", eval_nlu.strip_variant(dev))]
    parse = eval_nlu.rasa_parser(model)
    predictions, rankings = {}, {}
    for name, examples in variants:
        captured.clear()
        predictions[name] = parse([e.text for e in examples])
        rankings[name] = list(captured)
    in_scope = [i for i, e in enumerate(dev) if e.intent != eval_nlu.OUT_OF_SCOPE]
    off = [i for i, e in enumerate(dev) if e.intent == eval_nlu.OUT_OF_SCOPE]
    print(f"dev: {len(dev)} messages ({len(off)} out_of_scope)\n")
    print("weight | threshold | ambiguity | macro-F1 | stripped | oos rejected | in-scope rejected")
    for weight in WEIGHTS:
        for threshold in THRESHOLDS:
            for amb in AMBIGUITIES:
                scores = []
                for name, examples in variants:
                    pred = [_decide(*r, weight, threshold, amb) for r in rankings[name]]
                    scores.append(eval_nlu._macro_f1([e.intent for e in examples], pred))
                    if name == "raw":
                        raw_pred = pred
                oos = sum(raw_pred[i] in eval_nlu.REJECTIONS for i in off) / max(1, len(off))
                ins = sum(raw_pred[i] in eval_nlu.REJECTIONS for i in in_scope) / len(in_scope)
                print(
                    f"{weight:.1f} | {threshold:.2f} | {amb:.2f} | {scores[0]:.3f} | "
                    f"{scores[1]:.3f} | {100 * oos:.1f} % | {100 * ins:.1f} %"
                )
    raw = predictions["raw"]
    macro, _, confusions = eval_nlu.intent_scores(dev, raw)
    print(f"\nmodel as configured: macro-F1 {macro:.3f}")
    for t, p, n in confusions:
        print(f"  {t} → {p}: {n}")
    for e, p in zip(dev, raw, strict=True):
        if eval_nlu._scored_intent(p.intent) != e.intent:
            print(f"  [{e.intent} → {p.intent}] {e.text}")
    for entity, (precision, recall, n) in eval_nlu.entity_scores(dev, raw).items():
        print(f"  entity {entity}: precision {precision:.3f} recall {recall:.3f} ({n})")
    ms = sorted(p.seconds for p in raw)[len(raw) // 2] * 1000
    print(f"  median parse {ms:.1f} ms")


def _text_features(fold_text: bool) -> Any:
    """The blender's own text features; without folding, the baseline's recipe."""
    from carpimko.nlu.ensemble import folded_text_features

    features = folded_text_features()
    if not fold_text:
        for _, vectorizer in features.transformer_list:
            vectorizer.set_params(preprocessor=None)
    return features


def _linear_variants() -> dict[str, Callable[[], Any]]:
    """Candidate linear models for the blend, each a scikit-learn pipeline on raw text."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    def calibrated(
        fold_text: bool, c: float, method: str, ensemble: bool = True
    ) -> Callable[[], Any]:
        return lambda: make_pipeline(
            _text_features(fold_text),
            CalibratedClassifierCV(
                LinearSVC(C=c, random_state=0), cv=5, method=method, ensemble=ensemble
            ),
        )

    def softmax(fold_text: bool, c: float) -> Callable[[], Any]:
        return lambda: make_pipeline(_text_features(fold_text), TemperatureSVC(C=c))

    return {
        "text-raw sigmoid C1": calibrated(False, 1.0, "sigmoid"),
        "text-folded sigmoid C1": calibrated(True, 1.0, "sigmoid"),
        "text-folded sigmoid C0.5": calibrated(True, 0.5, "sigmoid"),
        "text-folded sigmoid C2": calibrated(True, 2.0, "sigmoid"),
        "text-folded isotonic C1": calibrated(True, 1.0, "isotonic"),
        "text-folded sigmoid C1 single": calibrated(True, 1.0, "sigmoid", ensemble=False),
        "text-folded isotonic C1 single": calibrated(True, 1.0, "isotonic", ensemble=False),
        "text-folded softmax-T C1": softmax(True, 1.0),
    }


class TemperatureSVC:
    """LinearSVC whose decision scores go through a softmax at a temperature fitted by CV."""

    def __init__(self, C: float = 1.0) -> None:
        self.C = C

    def get_params(self, deep: bool = True) -> dict[str, float]:
        return {"C": self.C}

    def set_params(self, **params: float) -> TemperatureSVC:
        self.C = params.get("C", self.C)
        return self

    def fit(self, X: Any, y: Any) -> TemperatureSVC:
        import numpy as np
        from sklearn.model_selection import StratifiedKFold, cross_val_predict
        from sklearn.svm import LinearSVC

        svm = LinearSVC(C=self.C, random_state=0)
        folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
        scores = cross_val_predict(svm, X, y, cv=folds, method="decision_function")
        classes = np.array(sorted(set(y)))
        index = np.searchsorted(classes, y)

        def nll(t: float) -> float:
            z = scores / t
            z = z - z.max(axis=1, keepdims=True)
            logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
            return float(-logp[np.arange(len(y)), index].mean())

        self.temperature_ = min(np.geomspace(0.02, 2.0, 60), key=nll)
        self.svm_ = svm.fit(X, y)
        self.classes_ = self.svm_.classes_
        return self

    def predict_proba(self, X: Any) -> Any:
        import numpy as np

        z = self.svm_.decision_function(X) / self.temperature_
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


def linear(model: Path, dev_file: Path, train_dir: Path) -> None:
    """Compare linear models for the blend on the development split, with DIET's ranking.

    Parses the development part once with the dev model to capture DIET's ranking and the
    pipeline's own linear ranking, then fits each candidate linear model of
    ``_linear_variants`` on the training part's texts and recomputes the blended decision.
    Also prints the TF-IDF + LinearSVC baseline of ``eval_nlu`` on the same split, with its
    cross-validated rejection threshold and without rejection.
    """
    import numpy as np

    captured = _capture_rankings()
    dev = eval_nlu.load_examples(dev_file)
    train = eval_nlu.load_examples(train_dir)
    variants = {"raw": dev, "stripped": eval_nlu.strip_variant(dev)}
    parse = eval_nlu.rasa_parser(model)
    rankings = {}
    for name, examples in variants.items():
        captured.clear()
        parse([e.text for e in examples])
        rankings[name] = list(captured)
    truth = [e.intent for e in dev]
    in_scope = [i for i, e in enumerate(dev) if e.intent != eval_nlu.OUT_OF_SCOPE]
    off = [i for i, e in enumerate(dev) if e.intent == eval_nlu.OUT_OF_SCOPE]

    def line(label: str, preds: dict[str, list[str]]) -> None:
        raw = preds["raw"]
        oos = sum(raw[i] in eval_nlu.REJECTIONS for i in off) / max(1, len(off))
        ins = sum(raw[i] in eval_nlu.REJECTIONS for i in in_scope) / len(in_scope)
        errors = sum(eval_nlu._scored_intent(p) != t for p, t in zip(raw, truth, strict=True))
        print(
            f"{label} | {eval_nlu._macro_f1(truth, raw):.3f} | "
            f"{eval_nlu._macro_f1(truth, preds['stripped']):.3f} | {100 * oos:.1f} % | "
            f"{100 * ins:.1f} % | {errors}"
        )

    print(f"dev: {len(dev)} messages ({len(off)} out_of_scope), train: {len(train)}\n")
    print("model | macro-F1 | stripped | oos rejected | in-scope rejected | errors")
    base = eval_nlu.train_baseline(train)
    base_preds = {
        k: [p.intent for p in base.parse([e.text for e in v])] for k, v in variants.items()
    }
    line(f"baseline, CV threshold {base.threshold:.2f}", base_preds)
    no_rejection = eval_nlu.Baseline(-np.inf, 0.0, base.model)
    line(
        "baseline, no threshold",
        {
            k: [p.intent for p in no_rejection.parse([e.text for e in v])]
            for k, v in variants.items()
        },
    )
    texts = [e.text for e in train]
    labels = np.array([e.intent for e in train])
    linear_rankings = {
        "pipeline features (current)": {k: [r[1] for r in v] for k, v in rankings.items()}
    }
    for label, factory in _linear_variants().items():
        fitted = factory().fit(texts, labels)
        classes = [str(c) for c in fitted.classes_]
        linear_rankings[label] = {
            k: [
                dict(zip(classes, map(float, row), strict=True))
                for row in fitted.predict_proba([e.text for e in v])
            ]
            for k, v in variants.items()
        }
    for label, lin in linear_rankings.items():
        for weight in (0.0, 0.6, 0.7, 0.8, 0.9, 1.0):
            for threshold in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5):
                preds = {
                    k: [
                        _decide(r[0], lr, weight, threshold, 0.0)
                        for r, lr in zip(rankings[k], lin[k], strict=True)
                    ]
                    for k in variants
                }
                line(f"{label} | w {weight:.1f} | t {threshold:.2f}", preds)


def main(argv: Sequence[str] | None = None) -> int:
    """``split``, ``sweep`` or ``linear``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("split")
    s.add_argument("--data", type=Path, default=ROOT / "data" / "nlu")
    s.add_argument("--out", type=Path, default=DEV_DIR)
    s.add_argument("--share", type=float, default=0.2)
    s.add_argument("--seed", type=int, default=0)
    w = sub.add_parser("sweep")
    w.add_argument("--model", type=Path, default=DEV_DIR / "dev.tar.gz")
    w.add_argument("--dev", type=Path, default=DEV_DIR / "dev.yml")
    li = sub.add_parser("linear")
    li.add_argument("--model", type=Path, default=DEV_DIR / "dev.tar.gz")
    li.add_argument("--dev", type=Path, default=DEV_DIR / "dev.yml")
    li.add_argument("--train", type=Path, default=DEV_DIR / "train")
    args = parser.parse_args(argv)
    if args.command == "linear":
        linear(args.model, args.dev, args.train)
    elif args.command == "split":
        split(args.data, args.out, args.share, args.seed)
    else:
        sweep(args.model, args.dev)
    return 0


if __name__ == "__main__":
    sys.exit(main())
