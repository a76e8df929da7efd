"""carpimko.text.email_address: found typed or dictated, one check and one masked form."""

from __future__ import annotations

import pytest

from carpimko.text.email_address import find_emails, is_valid_email, mask_email, normalize_email


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


@pytest.mark.parametrize(
    ("address", "valid"),
    [
        ("jeanne.dupont@example.fr", True),
        ("j+tag@sub.example.fr", True),
        ("jeanne@localhost", False),
        ("jéanne@example.fr", False),
        ("a" * 250 + "@example.fr", False),
    ],
)
def test_is_valid_email(address: str, valid: bool) -> None:
    assert is_valid_email(address) is valid


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("jeandy@carpimko.com", "j****dy@c*****.com"),
        ("jeanne.dupont@example.fr", "j****nt@e*****.fr"),
        ("abc@example.fr", "a****@e*****.fr"),
    ],
)
def test_one_masked_form_hides_lengths(email: str, masked: str) -> None:
    assert mask_email(email) == masked
    assert find_emails(masked) == []  # masking again changes nothing
