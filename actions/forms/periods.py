"""French periods and years as users type or say them: « 2025 », « mars 2025 », « de janvier
à juin 2025 », « l'année dernière », « les 3 derniers mois ». Pure functions (tested alone)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

_MONTHS = (
    ("janv", 1), ("fev", 2), ("mars", 3), ("avr", 4), ("mai", 5), ("juin", 6),
    ("juil", 7), ("aou", 8), ("sept", 9), ("oct", 10), ("nov", 11), ("dec", 12),
)  # fmt: skip
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_NUMERIC_MONTH = re.compile(r"\b(?:(0?[1-9]|1[0-2])[/.-](20\d\d)|(20\d\d)-(0[1-9]|1[0-2]))\b")
_LAST_MONTHS = re.compile(r"(\d{1,2}|trois|six|douze)\s+derniers\s+mois")
_WORD_NUMBERS = {"trois": 3, "six": 6, "douze": 12}
FIRST_YEAR = 1990


def fold(text: str) -> str:
    """Lower case, without accents, straight apostrophes: « Février » → « fevrier »."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c)).replace("’", "'")


@dataclass(frozen=True)
class Period:
    """Whole months, both ends included."""

    start: date
    end: date

    @property
    def start_key(self) -> str:
        return f"{self.start:%Y-%m}"

    @property
    def end_key(self) -> str:
        return f"{self.end:%Y-%m}"

    def as_slot(self) -> str:
        return f"{self.start_key}:{self.end_key}"

    @classmethod
    def from_slot(cls, value: str) -> Period:
        start, _, end = value.partition(":")
        return cls(date.fromisoformat(start + "-01"), date.fromisoformat(end + "-01"))


def _shift(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _months_in(text: str) -> list[int]:
    found: list[tuple[int, int]] = []
    for word in re.finditer(r"[a-z]+", text):
        for prefix, number in _MONTHS:
            if word.group().startswith(prefix) or (prefix == "sept" and word.group() == "sep"):
                found.append((word.start(), number))
                break
    return [number for _, number in sorted(found)]


def parse_year(text: str, today: date) -> int | None:
    """A four-digit year, « l'année dernière » or « cette année »; None otherwise."""
    folded = fold(text)
    if re.search(r"annee (derniere|passee|precedente)|an dernier|l'an passe", folded):
        return today.year - 1
    if re.search(r"cette annee|annee en cours", folded):
        return today.year
    years = [int(y) for y in _YEAR.findall(folded)]
    return years[0] if len(years) == 1 else None


def parse_period(text: str, today: date) -> Period | None:
    """The months the user means, never ending after the current month; None if unclear."""
    folded = fold(text)
    current = date(today.year, today.month, 1)
    last = _LAST_MONTHS.search(folded)
    if last:
        count = _WORD_NUMBERS.get(last.group(1)) or int(last.group(1))
        if not 1 <= count <= 36:
            return None
        end = _shift(current, -1)
        return Period(_shift(end, -(count - 1)), end)
    numeric = _NUMERIC_MONTH.findall(folded)
    if numeric:
        firsts = [date(int(y1 or y2), int(m1 or m2), 1) for m1, y1, y2, m2 in numeric]
        return _checked(Period(firsts[0], firsts[-1]), current)
    year = parse_year(folded, today)
    months = _months_in(folded)
    years = [int(y) for y in _YEAR.findall(folded)]
    if not months:
        if year is None:
            return None
        return _checked(Period(date(year, 1, 1), min(date(year, 12, 1), current)), current)
    if len(years) >= 2 and len(months) >= 2:
        return _checked(
            Period(date(years[0], months[0], 1), date(years[-1], months[-1], 1)), current
        )
    if year is None and not years:
        # « mars »: the latest March that is not in the future.
        latest = current.year if months[-1] <= current.month else current.year - 1
        first = latest if months[0] <= months[-1] else latest - 1
        return _checked(Period(date(first, months[0], 1), date(latest, months[-1], 1)), current)
    end_year = year if year is not None else years[-1]
    start_year = end_year if months[0] <= months[-1] else end_year - 1
    return _checked(Period(date(start_year, months[0], 1), date(end_year, months[-1], 1)), current)


def _checked(period: Period, current: date) -> Period | None:
    if period.start > period.end or period.start.year < FIRST_YEAR or period.start > current:
        return None
    return Period(period.start, min(period.end, current))


def french_month(day: date) -> str:
    names = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")  # fmt: skip
    return f"{names[day.month - 1]} {day.year}"


def describe(period: Period) -> str:
    """« de janvier 2025 à décembre 2025 » or « mars 2025 »."""
    if period.start == period.end:
        return french_month(period.start)
    start = french_month(period.start)
    article = "d'" if start[0] in "aeiouéo" else "de "
    return f"{article}{start} à {french_month(period.end)}"


# --- single days (« 12/03/2005 », « 1er mars 2026 », « demain ») ------------------------------
_ISO_DAY = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_NUMERIC_DAY = re.compile(r"\b(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}|\d{2}))?\b")
_WORD_DAY = re.compile(r"\b(\d{1,2}|1er|premier)\s+([a-z]+)\.?(?:\s+(\d{4}))?\b")
_RELATIVE_DAYS = (
    ("apres-demain", 2), ("apres demain", 2), ("avant-hier", -2), ("avant hier", -2),
    ("aujourd'hui", 0), ("demain", 1), ("hier", -1),
)  # fmt: skip


def _month_number(word: str) -> int | None:
    for prefix, number in _MONTHS:
        if word.startswith(prefix) or (prefix == "sept" and word == "sep"):
            return number
    return None


def _full_year(text: str, today: date) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if 2000 + year <= today.year + 1 else 1900
    return year


def _nearest(day: int, month: int, today: date) -> date | None:
    """The date of that day and month closest to today (a year was not said)."""
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    return min(candidates, key=lambda d: abs((d - today).days)) if candidates else None


def parse_day(text: str, today: date, *, year_required: bool = False) -> date | None:
    """One calendar day as written or said in French; None when absent, unclear or impossible.

    Without a year (« le 3 mars », « 03/03 »), the closest such day to ``today`` is taken,
    unless ``year_required`` (a birth date).
    """
    folded = fold(text)
    if not year_required:
        for words, offset in _RELATIVE_DAYS:
            if words in folded:
                return date.fromordinal(today.toordinal() + offset)
    try:
        iso = _ISO_DAY.search(folded)
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        numeric = _NUMERIC_DAY.search(folded)
        if numeric:
            day, month, year = int(numeric.group(1)), int(numeric.group(2)), numeric.group(3)
            if year:
                return date(_full_year(year, today), month, day)
            return None if year_required else _nearest(day, month, today)
        for match in _WORD_DAY.finditer(folded):
            named = _month_number(match.group(2))
            if named is None:
                continue
            day = 1 if match.group(1) in ("1er", "premier") else int(match.group(1))
            if match.group(3):
                return date(int(match.group(3)), named, day)
            return None if year_required else _nearest(day, named, today)
    except ValueError:  # « 31/02/2025 »
        return None
    return None
