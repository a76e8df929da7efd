"""Expected delivery of a letter: 72 hours, excluding week-ends and French public holidays."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

from portal.timeutil import paris_today

LETTER_WORKING_DAYS = 3


@lru_cache(maxsize=16)
def _french_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("FR", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _french_holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    """The `count`-th working day after `start` (start itself is not counted)."""
    day = start
    remaining = count
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def expected_letter_delivery(now: datetime) -> date:
    """72 hours of working days from the request, reckoned in Paris time.

    A request on Friday arrives on Wednesday; one made on the eve of the
    8 May and Ascension Day waits for both holidays to pass.
    """
    return add_working_days(paris_today(now), LETTER_WORKING_DAYS)
