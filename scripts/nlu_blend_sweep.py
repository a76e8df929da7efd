"""Blend weight × fallback threshold on the development sets, with the referral rule applied.

Why: issue 17's third pass chose ``IntentGuard``'s ``refer_threshold`` on development sets of
its own; this checks that the blend weight and the fallback threshold chosen earlier are still
the best with the rule in place. DIET's and the linear model's rankings are captured once per
message inside ``LinearIntentBlender`` (``dev_split._capture_rankings``), and the decision is
recomputed for every weight and threshold. Macro-F1 here leaves out the guard's other rules
(garbage, writing procedures confirmed), so it differs slightly from ``eval_nlu``'s. It reads
only development sets (never ``heldout.yml``, ``off_domain.yml`` or ``other_bodies.yml``):

    flock /work/wt/heavy.lock .venv/bin/python scripts/nlu_blend_sweep.py \\
        --model models/carpimko.tar.gz
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import dev_split  # noqa: E402
import eval_nlu  # noqa: E402
from nlu_leakage import find_leaks  # noqa: E402
from nlu_stats import paired_margin  # noqa: E402

from carpimko.nlu.ensemble import blend_rankings  # noqa: E402
from carpimko.nlu.guard import refers_elsewhere  # noqa: E402

DEV = ROOT / "tests" / "nlu"
WEIGHTS = (0.6, 0.7, 0.8, 0.9, 1.0)
THRESHOLDS = (0.2, 0.3, 0.4)


def decide(
    text: str, rankings: dev_split.Rankings, weight: float, threshold: float, refer: float
) -> str:
    """The intent the pipeline would answer with this weight, fallback and refer thresholds."""
    diet, linear = rankings
    ranking = (
        blend_rankings(diet, linear, weight)
        if linear
        else sorted(diet.items(), key=lambda item: -item[1])
    )
    name, confidence = ranking[0]
    if confidence < threshold:
        return eval_nlu.FALLBACK
    return eval_nlu.OUT_OF_SCOPE if refers_elsewhere(text, name, confidence, refer) else name


def main(argv: Sequence[str] | None = None) -> int:
    """Print one row per weight and threshold."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--refer-threshold", type=float, default=0.7)
    args = parser.parse_args(argv)

    train = eval_nlu.load_examples(ROOT / "data" / "nlu")
    dev = eval_nlu.load_examples(DEV / "dev.yml")
    copied = {leak.test_text for leak in find_leaks([e.text for e in train], [e.text for e in dev])}
    sets = {
        "dev": [e for e in dev if e.text not in copied],
        "A": eval_nlu.load_examples(DEV / "dev_off_domain.yml"),
        "B": eval_nlu.load_examples(DEV / "dev_off_domain_b.yml"),
        "near": eval_nlu.load_examples(DEV / "dev_near_body.yml"),
    }
    captured = dev_split._capture_rankings()
    parse = eval_nlu.rasa_parser(args.model)
    rankings = {}
    for name, examples in sets.items():
        captured.clear()
        parse([e.text for e in examples])
        rankings[name] = list(captured)
    baseline = eval_nlu.train_baseline(train)
    baseline_a = [
        p.intent in eval_nlu.REJECTIONS for p in baseline.parse([e.text for e in sets["A"]])
    ]
    print(
        "| weight, threshold | dev macro-F1 | in-scope rejected | A rejected, vs baseline [95 %] "
        "| B rejected | near-body kept |"
    )
    for weight in WEIGHTS:
        for threshold in THRESHOLDS:
            decided = {
                name: [
                    decide(e.text, r, weight, threshold, args.refer_threshold)
                    for e, r in zip(examples, rankings[name], strict=True)
                ]
                for name, examples in sets.items()
            }
            pairs = list(zip(sets["dev"], decided["dev"], strict=True))
            in_scope = [d in eval_nlu.REJECTIONS for e, d in pairs if e.intent != "out_of_scope"]
            a = paired_margin([d in eval_nlu.REJECTIONS for d in decided["A"]], baseline_a)
            b = sum(d in eval_nlu.REJECTIONS for d in decided["B"])
            near = zip(sets["near"], decided["near"], strict=True)
            kept = sum(d == e.intent for e, d in near)
            macro = eval_nlu._macro_f1([e.intent for e in sets["dev"]], decided["dev"])
            print(
                f"| {weight:.1f}, {threshold:.1f} | {macro:.3f} | "
                f"{100 * sum(in_scope) / len(in_scope):.1f} % | {100 * a.first:.1f} %, "
                f"{100 * a.difference:+.1f} [{100 * a.low:+.1f}, {100 * a.high:+.1f}] | "
                f"{b}/{len(sets['B'])} | {kept}/{len(sets['near'])} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
