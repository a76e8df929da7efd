"""carpimko.text.iban: every spelling of an IBAN is found, one masked form for bot and portal."""

from __future__ import annotations

import pytest

from carpimko.text.iban import find_ibans, is_valid_iban, mask_iban, normalize_iban
from carpimko.text.normalize import Found

JEANNE = "FR7630004008260001234567871"


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


def test_validity_is_schwifty_s() -> None:
    assert is_valid_iban("FR7630006000011234567890189")
    assert is_valid_iban("BE07784036592466")
    assert not is_valid_iban("FR7630006000011234567890188")
    assert not is_valid_iban("not an iban")


@pytest.mark.parametrize(
    "spelling",
    [
        JEANNE,
        "FR76 3000 4008 2600 0123 4567 871",
        "FR 76 3000 4008 2600 0123 4567 871",
        "FR76  3000  4008  2600  0123  4567  871",
        "FR76 30004 00826 00012345678 71",
        "fr76.3000.4008.2600.0123.4567.871",
        "FR76-3000-4008-2600-0123-4567-871",
    ],
)
def test_every_spelling_is_found_whole(spelling: str) -> None:
    text = f"mon nouvel iban : {spelling}, merci"
    found = find_ibans(text)
    assert [f.value for f in found] == [JEANNE]
    assert text[found[0].start : found[0].end] == spelling


def test_the_next_word_is_not_swallowed() -> None:
    text = "voici FR76 3000 6000 0112 3456 7890 189 merci"
    assert find_ibans(text) == [Found(6, 39, "FR7630006000011234567890189")]


def test_a_mistyped_iban_is_still_found() -> None:
    assert [f.value for f in find_ibans("FR76 3000 4008 2600 0123 4567 872")] == [
        "FR7630004008260001234567872"
    ]
    short = find_ibans("FR76 3000 4008 2600 0123 4567 87 oups")
    assert [f.value for f in short] == ["FR763000400826000123456787"]


@pytest.mark.parametrize(
    "text",
    [
        "le 12 mars 2024 je suis allée à la banque",
        "de 25 ans depuis toujours 2024",
        "https://portail/documents/ba26a9f0c3e1d2b4a5f6e7d8c9b0a1f2",
        "mon dossier 1234567 et le code postal 69003",
    ],
)
def test_ordinary_text_is_no_iban(text: str) -> None:
    assert find_ibans(text) == []


def test_one_masked_form() -> None:
    assert mask_iban(JEANNE) == "FR76 **** **** 7871"
    assert mask_iban("fr76 3000 4008 2600 0123 4567 871") == "FR76 **** **** 7871"
    assert mask_iban("FR76") == "****"
