"""Periods and years as affiliates type or say them (actions/forms/periods.py)."""

from __future__ import annotations

from datetime import date

import pytest

from actions.forms.periods import Period, describe, parse_day, parse_period, parse_year

TODAY = date(2025, 11, 12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024", "de janvier 2024 à décembre 2024"),
        ("2025", "de janvier 2025 à novembre 2025"),  # never after the current month
        ("mars 2025", "mars 2025"),
        ("Mars", "mars 2025"),
        ("décembre", "décembre 2024"),  # the latest December that is not in the future
        ("de janvier à juin 2025", "de janvier 2025 à juin 2025"),
        ("décembre à février 2025", "de décembre 2024 à février 2025"),
        ("novembre 2024 à février 2025", "de novembre 2024 à février 2025"),
        ("03/2025", "mars 2025"),
        ("2025-04", "avril 2025"),
        ("l'année dernière", "de janvier 2024 à décembre 2024"),
        ("cette année", "de janvier 2025 à novembre 2025"),
        ("les 3 derniers mois", "d'août 2025 à octobre 2025"),
        ("les six derniers mois", "de mai 2025 à octobre 2025"),
    ],
)
def test_periods(text: str, expected: str) -> None:
    period = parse_period(text, TODAY)
    assert period is not None and describe(period) == expected


@pytest.mark.parametrize("text", ["bonjour", "2030", "juin 2026", "le plus tôt possible", "1985"])
def test_unclear_or_future_periods_are_refused(text: str) -> None:
    assert parse_period(text, TODAY) is None


def test_years() -> None:
    assert parse_year("pour 2024", TODAY) == 2024
    assert parse_year("l'an dernier", TODAY) == 2024
    assert parse_year("cette année", TODAY) == 2025
    assert parse_year("2023 ou 2024", TODAY) is None
    assert Period.from_slot("2025-01:2025-03") == parse_period("de janvier à mars 2025", TODAY)


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("12/03/2005", date(2005, 3, 12)),
        ("le 1er mars 2026", date(2026, 3, 1)),
        ("né le 4 juillet 2004", date(2004, 7, 4)),
        ("2005-03-12", date(2005, 3, 12)),
        ("15.09.06", date(2006, 9, 15)),
        ("3 mars", date(2026, 3, 3)),  # the closest 3 March to 12 November 2025
        ("le 5 janvier", date(2026, 1, 5)),
        ("demain", date(2025, 11, 13)),
        ("31/02/2025", None),
        ("quand je veux", None),
    ],
)
def test_french_days(said: str, expected: date | None) -> None:
    assert parse_day(said, TODAY) == expected
