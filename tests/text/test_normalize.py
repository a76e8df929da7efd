"""Tests of carpimko.text.normalize: the canonical forms fixed by the contract."""

from __future__ import annotations

import pytest

from carpimko.text.normalize import (
    digits_only,
    find_dossier_numbers,
    find_profiles,
    normalize_dossier_number,
    spoken_digits_to_digits,
)


@pytest.mark.parametrize(
    ("spoken", "digits"),
    [
        ("un deux trois quatre cinq six sept", "1234567"),
        ("zéro", "0"),
        ("zero six", "06"),
        ("une", "1"),
        ("dix-sept", "17"),
        ("dix sept", "17"),
        ("vingt et un", "21"),
        ("trente-deux", "32"),
        ("soixante-dix", "70"),
        ("soixante et onze", "71"),
        ("soixante-dix-neuf", "79"),
        ("quatre-vingts", "80"),
        ("quatre-vingt-un", "81"),
        ("quatre vingt dix neuf", "99"),
        ("septante-trois", "73"),
        ("nonante", "90"),
        ("douze trente-quatre cinquante-six sept", "1234567"),
        ("cent vingt-trois quatre cent cinquante-six sept cent quatre-vingt-neuf", "123456789"),
        ("double zéro six", "006"),
        ("triple sept", "777"),
        ("12 34 cinquante-six 7", "1234567"),
        ("deux mille vingt-quatre", "2024"),
        ("mille neuf cent quatre-vingt-dix", "1990"),
        ("dix-neuf cent quatre-vingt-cinq", "1985"),
        ("DOUZE Trente-Quatre", "1234"),
        ("un, deux, trois", "123"),
    ],
)
def test_spoken_numbers_become_digits(spoken: str, digits: str) -> None:
    assert spoken_digits_to_digits(spoken) == digits


def test_spoken_digits_keep_the_rest_of_the_sentence() -> None:
    text = "mon numero de dossier c'est un deux trois quatre cinq six sept merci"
    assert spoken_digits_to_digits(text) == "mon numero de dossier c'est 1234567 merci"


def test_typed_digit_groups_are_left_alone() -> None:
    assert spoken_digits_to_digits("le 12 34 567 svp") == "le 12 34 567 svp"


def test_words_that_are_not_numbers_stay() -> None:
    assert spoken_digits_to_digits("bonjour et merci") == "bonjour et merci"
    assert spoken_digits_to_digits("double vitrage") == "double vitrage"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234567", "1234567"),
        ("123456789", "123456789"),
        ("12.34.567", "1234567"),
        ("123 456 789", "123456789"),
        ("12-34-567", "1234567"),
        ("n° 1234567", "1234567"),
        (" 1 234 567 ", "1234567"),
        ("un deux trois quatre cinq six sept", "1234567"),
        ("sept six cinq quatre trois deux un", "7654321"),
        ("un deux trois quatre cinq six sept huit neuf", "123456789"),
        ("douze trente-quatre cinquante-six sept", "1234567"),
        ("123456", None),
        ("12345678", None),
        ("1234567890", None),
        ("bonjour", None),
        ("", None),
    ],
)
def test_normalize_dossier_number(raw: str, expected: str | None) -> None:
    assert normalize_dossier_number(raw) == expected


def test_digits_only_keeps_wrong_lengths() -> None:
    assert digits_only("12 34 56") == "123456"


def test_find_dossier_numbers_ignores_articles_and_wrong_lengths() -> None:
    assert [f.value for f in find_dossier_numbers("j'ai un 1234567 deux fois")] == ["1234567"]
    assert find_dossier_numbers("appelez le 06 12 34 56 78") == []
    assert find_dossier_numbers("en 2024") == []


def test_find_profiles_skips_the_identifier_and_the_noun_retraite() -> None:
    assert [f.value for f in find_profiles("je suis la veuve d'un kiné")] == ["ayant_droit"]
    assert [f.value for f in find_profiles("je suis retraitée")] == ["affilie"]
    assert find_profiles("mon numéro d'affilié est le 1234567") == []
    assert find_profiles("je prépare ma retraite") == []
