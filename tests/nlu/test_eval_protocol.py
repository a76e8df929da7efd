"""The evaluation never measures on messages the model was trained on, and its margins against
the baseline come with their noise."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import nlu_leakage  # noqa: E402
from eval_nlu import load_examples  # noqa: E402
from nlu_stats import paired_margin  # noqa: E402


@pytest.fixture(scope="module")
def training_texts() -> list[str]:
    return [e.text for e in load_examples(ROOT / "data" / "nlu")]


@pytest.mark.parametrize("name", nlu_leakage.OFF_DOMAIN_SETS)
def test_no_off_domain_message_is_in_the_training_data(
    name: str, training_texts: list[str]
) -> None:
    tests = [e.text for e in load_examples(ROOT / name)]
    assert nlu_leakage.find_leaks(training_texts, tests) == []


def test_held_out_messages_are_not_trained_on_apart_from_short_turns(
    training_texts: list[str],
) -> None:
    tests = [e.text for e in load_examples(ROOT / "tests" / "nlu" / "heldout.yml")]
    long_copies = [
        leak
        for leak in nlu_leakage.find_leaks(training_texts, tests)
        if not nlu_leakage.is_short_turn(leak.test_text)
    ]
    assert long_copies == []


def test_a_copy_differs_only_by_case_accents_end_punctuation_or_a_word() -> None:
    train = [
        "raconte-moi une blague",
        "je veux résilier ma complémentaire santé",
        "...",
        "mot de passe oublié",
        "je voudrais mon attestation fiscale",
        "changer mon rib",
        "quels sont vos horaires",
        "bonjour",
        "merci beaucoup",
        "ma déclaration de revenus",
        "je n'arrive pas à me connecter",
    ]
    tests = ["Raconte-moi une blague.", "Je veux résilier ma complémentaire santé, svp", "????"]
    leaks = nlu_leakage.find_leaks(train, tests)
    assert [(leak.test_text, leak.train_text) for leak in leaks] == [
        ("Raconte-moi une blague.", "raconte-moi une blague"),
        (
            "Je veux résilier ma complémentaire santé, svp",
            "je veux résilier ma complémentaire santé",
        ),
    ]
    assert not nlu_leakage.find_leaks(train, ["quelle recette pour une blanquette"])


def test_two_models_equal_on_every_message_are_not_told_apart() -> None:
    outcomes = [True] * 70 + [False] * 10
    margin = paired_margin(outcomes, outcomes)
    assert margin.difference == 0.0 and (margin.low, margin.high) == (0.0, 0.0)
    assert not margin.excludes_zero()


def test_a_few_more_rejections_out_of_eighty_is_noise_and_many_more_is_not() -> None:
    baseline = [True] * 72 + [False] * 8
    two_more = [True] * 74 + [False] * 6
    assert not paired_margin(two_more, baseline).excludes_zero()
    eight_more = [True] * 80
    margin = paired_margin(eight_more, baseline)
    assert margin.excludes_zero() and margin.low > 0
    assert margin.difference == pytest.approx(0.1)
