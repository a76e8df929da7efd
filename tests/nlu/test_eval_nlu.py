"""The held-out report scores both models the same way, with and without their thresholds."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import eval_nlu  # noqa: E402
from eval_nlu import FALLBACK, Example, Prediction  # noqa: E402

HELDOUT = [
    Example("mot de passe oublié", "forgot_password"),
    Example("changer mon rib", "change_rib"),
    Example("quel temps fait-il", "out_of_scope"),
]
OFF_DOMAIN = [Example("recette de crêpes", "out_of_scope")]


def parser(decisions: dict[str, tuple[str, str]]) -> eval_nlu.Parser:
    """A fake model: text → (decision after threshold, best intent before it)."""

    def parse(texts: Sequence[str]) -> list[Prediction]:
        out = []
        for text in texts:
            decided, best = decisions.get(text, decisions[eval_nlu.fold(text)])
            out.append(Prediction(decided, Counter(), [], 0.001, best))
        return out

    return parse


def test_a_rejected_in_scope_message_is_an_error_only_with_the_threshold() -> None:
    decisions = {
        "mot de passe oublié": (FALLBACK, "forgot_password"),  # rejected, though right
        "changer mon rib": ("change_rib", "change_rib"),
        "quel temps fait-il": (FALLBACK, "change_rib"),  # rejected thanks to the threshold
        "recette de crêpes": ("out_of_scope", "out_of_scope"),
    }
    decisions.update({eval_nlu.fold(k): v for k, v in decisions.items()})
    scores = eval_nlu.score_model(parser(decisions), HELDOUT, OFF_DOMAIN)

    # With the threshold: forgot_password recall 0, out_of_scope precision 1/2.
    assert scores.in_scope_rejection == 0.5
    assert scores.macro_f1 == pytest.approx((0 + 1 + 2 / 3) / 3)
    # Without it: forgot_password is right, the off-topic message goes to change_rib instead.
    macro, oos, in_scope = scores.unthresholded
    assert in_scope == 0.0 and oos == 1.0
    assert macro == pytest.approx((1 + 2 / 3 + 0) / 3)


def test_rasa_prediction_keeps_the_best_intent_under_the_fallback() -> None:
    result = {
        "intent": {"name": FALLBACK, "confidence": 0.8},
        "intent_ranking": [
            {"name": FALLBACK, "confidence": 0.8},
            {"name": "help", "confidence": 0.15},
            {"name": "greet", "confidence": 0.05},
        ],
        "entities": [{"entity": "year", "value": "2024"}],
    }
    prediction = eval_nlu.prediction_from_result(result, 0.01)
    assert prediction.intent == FALLBACK
    assert eval_nlu._without_threshold(prediction).intent == "help"
    assert prediction.entities == Counter({("year", "2024"): 1})


def test_other_bodies_section_counts_rejections_referrals_and_noise() -> None:
    examples = [
        Example("comment déclarer mes impôts en ligne", "out_of_scope"),  # rejected, referred
        Example("quelle est la capitale du Pérou", "out_of_scope"),  # rejected, no body
        Example("le smic cette année", "out_of_scope"),  # taken for a procedure: a miss
        Example("prélèvement carpimko rejeté", "contributions"),
        Example("????", "garbage"),
        Example("banane", "garbage"),
    ]
    decided = [FALLBACK, "out_of_scope", "tax_certificate", "contributions", FALLBACK, "inform"]
    predictions = [Prediction(i, Counter(), [], 0.001, i) for i in decided]
    rows = eval_nlu.other_bodies_rows(examples, predictions)
    assert rows == {
        "rejected": (2, 3),
        "referred": (1, 3),
        "near_kept": (1, 1),
        "noise_fallback": (1, 2),
        "noise_inform": (1, 2),
    }
    table = eval_nlu.render_other_bodies(rows, rows, "tests/nlu/other_bodies.yml")
    assert "| questions for other bodies rejected" in table and "2/3 (66.7 %)" in table


def test_guard_sweep_counts_confirmations_and_off_domain_writes() -> None:
    examples = [
        Example("changer mon rib", "change_rib"),
        Example("un truc de banque", "out_of_scope"),
    ]

    def parse(texts: Sequence[str]) -> list[Prediction]:
        ranking = {"changer mon rib": [("change_rib", 0.35)], "un truc de banque": [
            (FALLBACK, 0.45), ("change_rib", 0.45)]}  # fmt: skip
        return [Prediction("x", Counter(), ranking[t], 0.001) for t in texts]

    table = eval_nlu.guard_sweep(parse, {"dev": examples}, ["change_rib"])
    row = next(line for line in table.splitlines() if line.startswith("| `dev`"))
    # t = 0.3: nothing confirmed, the off-domain one taken; t = 0.4: confirmed, still taken;
    # t = 0.5 and 0.6: confirmed, and the off-domain one is no longer taken.
    assert row == "| `dev` | 0/1 / 1/1 | 1/1 / 1/1 | 1/1 / 0/1 | 1/1 / 0/1 |"


def test_error_listing_shows_each_wrong_message_with_the_baselines_answer() -> None:
    examples = [
        Example("mot de passe oublié", "forgot_password"),
        Example("il pleut demain ?", "out_of_scope"),
        Example("la cantine de mon fils", "out_of_scope"),
        Example("????", "garbage"),
    ]
    pipeline = [
        Prediction("forgot_password", Counter(), [("forgot_password", 0.9)], 0.001),
        Prediction(FALLBACK, Counter(), [(FALLBACK, 0.2)], 0.001, "help"),  # rejected: right
        Prediction("help", Counter(), [("help", 0.55)], 0.001, "help"),  # taken: an error
        Prediction("inform", Counter(), [("inform", 0.5)], 0.001, "inform"),  # not the fallback
    ]
    baseline = [Prediction(i, Counter(), [], 0.001) for i in ("a", "b", "out_of_scope", "d")]
    listing = eval_nlu.render_errors({"dev.yml": (examples, pipeline, baseline)})
    assert "`dev.yml`: 2 errors of 4" in listing
    assert (
        "- out_of_scope → help (help 0.55) [baseline: out_of_scope] « la cantine de mon fils »"
        in listing
    )
    assert "- garbage → inform (inform 0.50) [baseline: d] « ???? »" in listing
    assert "mot de passe" not in listing and "il pleut" not in listing


def test_refer_sweep_recomputes_the_guards_referral_per_threshold() -> None:
    """A fund intent at 0.6 for a message naming the CAF is rejected from threshold 0.7 on; a
    confident one, or one naming the fund, never."""
    caf = Example("mes allocs caf ne sont pas arrivées", "out_of_scope")
    fund = Example("la caf me demande une attestation de la carpimko", "download_attestation")
    unsure = Prediction("payment_slips", Counter(), [("payment_slips", 0.6)], 0.001)
    assert eval_nlu.refer_decision(caf, unsure, 0.5) == "payment_slips"
    assert eval_nlu.refer_decision(caf, unsure, 0.7) == "out_of_scope"
    kept = Prediction("download_attestation", Counter(), [("download_attestation", 0.5)], 0.001)
    assert eval_nlu.refer_decision(fund, kept, 1.01) == "download_attestation"
