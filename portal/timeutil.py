"""Time helpers: one injectable clock and the fund's time zone.

Business rules (opening hours, delivery dates, months) are reckoned in
Europe/Paris; storage and tokens use UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Current time, aware, in UTC."""
    return datetime.now(timezone.utc)


class ShiftableClock:
    """A clock that ticks like the system clock from a chosen start (demo mode only).

    ``PORTAL_CLOCK_START`` sets the start when the server starts, and ``PUT /api/v1/demo/clock``
    moves it, so that demos and end-to-end tests can be inside or outside the opening hours
    without depending on the wall clock.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._offset = timedelta(0)
        if start is not None:
            self.set(start)

    def set(self, moment: datetime) -> None:
        self._offset = moment - system_clock()

    def __call__(self) -> datetime:
        return system_clock() + self._offset


def paris_today(now: datetime) -> date:
    return now.astimezone(PARIS).date()


def iso(moment: datetime) -> str:
    """ISO 8601 with an explicit offset, seconds precision."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"
