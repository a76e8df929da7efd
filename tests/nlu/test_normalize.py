"""Tests of carpimko.normalize: the canonical forms fixed by the contract."""

from __future__ import annotations

import pytest

from carpimko.normalize import (
    Found,
    digits_only,
    find_dossier_numbers,
    find_emails,
    find_ibans,
    find_profiles,
    fold,
    iban_is_valid,
    normalize_delivery_channel,
    normalize_dossier_number,
    normalize_email,
    normalize_iban,
    normalize_profile,
    normalize_resume_type,
    normalize_year,
    spoken_digits_to_digits,
    strip_accents,
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


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("FR76 3000 6000 0112 3456 7890 189", "FR7630006000011234567890189"),
        ("fr76 3000 6000 0112 3456 7890 189", "FR7630006000011234567890189"),
        (" Fr76-3000-6000-0112-3456-7890-189 ", "FR7630006000011234567890189"),
        ("FR7630006000011234567890189", "FR7630006000011234567890189"),
    ],
)
def test_normalize_iban(raw: str, expected: str) -> None:
    assert normalize_iban(raw) == expected


def test_iban_checksum() -> None:
    assert iban_is_valid("FR7630006000011234567890189")
    assert iban_is_valid("BE07784036592466")
    assert not iban_is_valid("FR7630006000011234567890188")
    assert not iban_is_valid("not an iban")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jean.Dupont@Orange.fr", "jean.dupont@orange.fr"),
        ("  jeanne.dupont@example.fr. ", "jeanne.dupont@example.fr"),
        ("mailto:Claire.Petit@Example.fr", "claire.petit@example.fr"),
        ("jean point dupont arobase orange point fr", "jean.dupont@orange.fr"),
        ("marie tiret bas durand arobase gmail point com", "marie_durand@gmail.com"),
        ("paul tiret martin arobase free point fr", "paul-martin@free.fr"),
    ],
)
def test_normalize_email(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024", "2024"),
        ("en 2023", "2023"),
        ("deux mille vingt-quatre", "2024"),
        ("mille neuf cent quatre-vingt-dix-neuf", "1999"),
        ("24", "2024"),
        ("98", "1998"),
        ("l'année dernière", None),
        ("1234567", None),
        ("1850", None),
    ],
)
def test_normalize_year(raw: str, expected: str | None) -> None:
    assert normalize_year(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("affilié", "affilie"),
        ("Affiliée", "affilie"),
        ("affiliee", "affilie"),
        ("cotisant", "affilie"),
        ("je suis retraitée", "affilie"),
        ("ayant droit", "ayant_droit"),
        ("Ayant-droit", "ayant_droit"),
        ("je suis veuve", "ayant_droit"),
        ("retraite de réversion", "ayant_droit"),
        ("rente de survie", "ayant_droit"),
        ("ayant_droit", "ayant_droit"),
        ("kiné", None),
    ],
)
def test_normalize_profile(raw: str, expected: str | None) -> None:
    assert normalize_profile(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("par courrier", "courrier"),
        ("la poste", "courrier"),
        ("voie postale", "courrier"),
        ("par mail svp", "email"),
        ("E-mail", "email"),
        ("courriel", "email"),
        ("courrier électronique", "email"),
        ("pigeon voyageur", None),
    ],
)
def test_normalize_delivery_channel(raw: str, expected: str | None) -> None:
    assert normalize_delivery_channel(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("à mi-temps thérapeutique", "therapeutique"),
        ("temps partiel thérapeutique", "therapeutique"),
        ("TPT", "therapeutique"),
        ("temps complet", "temps_complet"),
        ("à temps plein", "temps_complet"),
        ("100%", "temps_complet"),
        ("lundi", None),
    ],
)
def test_normalize_resume_type(raw: str, expected: str | None) -> None:
    assert normalize_resume_type(raw) == expected


def test_accent_folding() -> None:
    assert strip_accents("zéro à l'été") == "zero a l'ete"
    assert fold("RÉVERSION") == "reversion"


def test_find_dossier_numbers_spoken_and_typed() -> None:
    text = "mon numero c est douze trente-quatre cinquante-six sept"
    assert find_dossier_numbers(text) == [Found(17, len(text), "1234567")]
    assert [f.value for f in find_dossier_numbers("dossier 12.34.567 et 2024")] == ["1234567"]
    assert [f.value for f in find_dossier_numbers("le 123 456 789")] == ["123456789"]


def test_find_dossier_numbers_ignores_articles_and_wrong_lengths() -> None:
    assert [f.value for f in find_dossier_numbers("j'ai un 1234567 deux fois")] == ["1234567"]
    assert find_dossier_numbers("appelez le 06 12 34 56 78") == []
    assert find_dossier_numbers("en 2024") == []


def test_find_ibans_stops_at_the_next_word() -> None:
    text = "voici FR76 3000 6000 0112 3456 7890 189 merci"
    assert find_ibans(text) == [Found(6, 39, "FR7630006000011234567890189")]


def test_find_emails_drops_sentence_punctuation() -> None:
    assert [f.value for f in find_emails("écrivez à Jean.Dupont@Orange.fr.")] == [
        "jean.dupont@orange.fr"
    ]


def test_find_emails_dictated_and_spaced() -> None:
    text = "mon mail c est jean point dupont arobase orange point fr merci"
    assert [f.value for f in find_emails(text)] == ["jean.dupont@orange.fr"]
    assert [f.value for f in find_emails("jean.dupont @ orange.fr")] == ["jean.dupont@orange.fr"]
    spoken = "claire point petit a commercial example point fr"
    assert [f.value for f in find_emails(spoken)] == ["claire.petit@example.fr"]


def test_find_profiles_skips_the_identifier_and_the_noun_retraite() -> None:
    assert [f.value for f in find_profiles("je suis la veuve d'un kiné")] == ["ayant_droit"]
    assert [f.value for f in find_profiles("je suis retraitée")] == ["affilie"]
    assert find_profiles("mon numéro d'affilié est le 1234567") == []
    assert find_profiles("je prépare ma retraite") == []
