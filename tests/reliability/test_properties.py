"""Property-based tests (hypothesis) on the normalisers and validators every input goes through.

Each property holds for any text a user can send (all Unicode planes, control characters,
emoji), not only for the examples of tests/nlu/test_normalize.py.
"""

from __future__ import annotations

import string
import unicodedata
from datetime import date

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from num2words import num2words

from carpimko.channels.guard import clean_text
from carpimko.text.email_address import find_emails, mask_email, normalize_email
from carpimko.text.iban import find_ibans, mask_iban, normalize_iban
from carpimko.text.normalize import (
    digits_only,
    normalize_dossier_number,
    normalize_year,
    spoken_digits_to_digits,
)
from carpimko.text.privacy import PASSWORD_PLACEHOLDER, mask_personal_data, redact_passwords
from portal import validation
from portal.errors import BadRequest, ValidationFailed

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ANY_TEXT = st.text(alphabet=st.characters(codec=None), max_size=200)
DIGIT_WORDS = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"]
ASCII_DIGITS = frozenset(string.digits)


def dossier_digits() -> st.SearchStrategy[str]:
    return st.sampled_from([7, 9]).flatmap(
        lambda n: st.text(alphabet=string.digits, min_size=n, max_size=n)
    )


@SETTINGS
@given(ANY_TEXT)
@example("123456²")  # a superscript is a "digit" for str.isdigit, not a numéro de dossier
@example("١٢٣٤٥٦٧")  # Arabic-Indic digits
def test_a_dossier_number_is_always_7_or_9_ascii_digits(text: str) -> None:
    number = normalize_dossier_number(text)
    assert number is None or (len(number) in (7, 9) and set(number) <= ASCII_DIGITS)
    assert set(digits_only(text)) <= ASCII_DIGITS


@SETTINGS
@given(dossier_digits(), st.sampled_from([" ", ".", "-", ""]), st.sampled_from(["", "n° ", "N°"]))
def test_typed_dossier_numbers_survive_any_grouping(digits: str, sep: str, prefix: str) -> None:
    grouped = sep.join(digits[i : i + 2] for i in range(0, len(digits), 2))
    assert normalize_dossier_number(prefix + grouped) == digits


@SETTINGS
@given(dossier_digits())
def test_dictated_digit_by_digit_numbers_are_read_back(digits: str) -> None:
    spoken = " ".join(DIGIT_WORDS[int(d)] for d in digits)
    assert spoken_digits_to_digits(spoken) == digits
    assert normalize_dossier_number(f"mon numéro c'est {spoken}") == digits


@SETTINGS
@given(st.integers(min_value=1900, max_value=2099))
def test_years_typed_or_spoken(year: int) -> None:
    assert normalize_year(str(year)) == str(year)
    assert normalize_year(num2words(year, lang="fr")) == str(year)


def _iban_strategy() -> st.SearchStrategy[str]:
    """French-shaped IBANs with correct check digits (and some wrong ones)."""

    def build(bban: str, right: bool) -> str:
        numeric = "".join(str(int(ch, 36)) for ch in bban + "FR00")
        check = 98 - int(numeric) % 97
        if not right:
            check = (check + 1) % 97 or 2
        return f"FR{check:02d}{bban}"

    digits = st.text(alphabet=string.digits, min_size=10, max_size=10)
    account = st.text(alphabet=string.digits + string.ascii_uppercase, min_size=11, max_size=11)
    key = st.text(alphabet=string.digits, min_size=2, max_size=2)
    bban = st.builds(lambda a, b, c: a + b + c, digits, account, key)  # French BBAN: 5n5n11c2n
    return st.builds(build, bban, st.booleans())


@SETTINGS
@given(_iban_strategy(), st.sampled_from(["", " ", "  ", "-", "."]), st.booleans())
def test_ibans_right_or_mistyped_are_found_and_masked(iban: str, sep: str, lower: bool) -> None:
    written = sep.join(iban[i : i + 4] for i in range(0, len(iban), 4))
    written = written.lower() if lower else written
    assert normalize_iban(written) == iban
    found = find_ibans(f"mon IBAN est {written} merci")
    assert [f.value for f in found] == [iban]
    masked = mask_personal_data(f"mon IBAN est {written} merci")
    assert mask_iban(iban) in masked and iban[4:-4] not in normalize_iban(masked)


@SETTINGS
@given(ANY_TEXT)
def test_iban_search_never_raises(text: str) -> None:
    assert all(len(f.value) >= 4 for f in find_ibans(text))


EMAIL_LOCAL = st.from_regex(r"[a-z0-9]([a-z0-9._-]{0,20}[a-z0-9])?", fullmatch=True)
EMAIL_DOMAIN = st.from_regex(r"[a-z0-9]{2,12}(\.[a-z0-9]{2,12})?\.(fr|com|org|net)", fullmatch=True)


@SETTINGS
@given(EMAIL_LOCAL, EMAIL_DOMAIN, st.booleans())
def test_emails_are_found_normalised_and_masked(local: str, domain: str, upper: bool) -> None:
    email = f"{local}@{domain}"
    written = email.upper() if upper else email
    assert normalize_email(written) == email
    assert normalize_email(normalize_email(written)) == email
    assert [f.value for f in find_emails(f"écrivez-moi à {written}.")] == [email]
    masked = mask_email(email)
    assert "@" in masked
    if len(local) > 3:
        assert local not in masked


@SETTINGS
@given(ANY_TEXT)
def test_email_normaliser_never_raises(text: str) -> None:
    assert isinstance(normalize_email(text), str)
    assert all(isinstance(f.value, str) for f in find_emails(text))


@SETTINGS
@given(ANY_TEXT)
def test_password_redaction_is_total_and_idempotent(text: str) -> None:
    redacted, _ = redact_passwords(text)
    again, found_again = redact_passwords(redacted)
    assert again == redacted
    assert not found_again or PASSWORD_PLACEHOLDER in redacted


@SETTINGS
@given(
    # The redactor's rule: 8+ characters mixing letters and digits (carpimko/text/privacy.py).
    st.from_regex(r"[A-Z][a-z]{5,8}[0-9]{2,4}[!?#]?", fullmatch=True),
    st.sampled_from(["mon mot de passe est {}", "{}", "c'est {} je crois"]),
)
def test_password_like_strings_never_survive(secret: str, sentence: str) -> None:
    redacted, found = redact_passwords(sentence.format(secret))
    assert found and secret not in redacted


@SETTINGS
@given(ANY_TEXT)
@example("a\ud800b")  # a lone surrogate (valid JSON "\ud800") cannot be stored in UTF-8
@example("\x00\x1b[31mrouge\x7f")
def test_channel_text_cleaning(text: str) -> None:
    cleaned = clean_text(text)
    cleaned.encode("utf-8")  # storable
    assert all(ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs") for ch in cleaned)
    assert clean_text(cleaned) == cleaned


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ANY_TEXT, inner, max_size=3),
    max_leaves=6,
)


@SETTINGS
@given(JSON_VALUES)
@example("١٢٣٤٥٦٧")
@example(1234567)
def test_portal_dossier_validation_accepts_only_ascii_digits(value: object) -> None:
    try:
        number = validation.dossier_number(value)
    except ValidationFailed as refused:
        assert refused.field == "dossier_number"
        return
    assert set(number) <= ASCII_DIGITS and len(number) in (7, 9)


@SETTINGS
@given(JSON_VALUES)
@example("2024-02-30")
@example("٢٠٢٤-٠١-٠١")
def test_portal_dates_and_months_refuse_cleanly(value: object) -> None:
    for check in (validation.day, validation.month):
        try:
            parsed = check(value, "date", "date")
        except ValidationFailed:
            continue
        assert isinstance(parsed, date) and 1900 <= parsed.year <= 2200


@pytest.mark.parametrize(
    "body", [b"", b"[]", b"null", b"\xff\xfe", b'{"a":', b"1e999", b"[" * 100_000 + b"]" * 100_000]
)
def test_portal_json_object_refuses_non_objects(body: bytes) -> None:
    with pytest.raises(BadRequest):
        validation.json_object(body)  # BadRequest (400), never another exception


@SETTINGS
@given(ANY_TEXT)
@example("FR76 3000 4008 2600 0123 4567 871 et marie@exemple.fr, 06 71 23 45 89")
def test_personal_data_masking_is_total_and_idempotent(text: str) -> None:
    masked = mask_personal_data(text)
    assert mask_personal_data(masked) == masked
    assert find_ibans(masked) == []
