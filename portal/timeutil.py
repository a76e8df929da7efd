"""Time helpers: one injectable clock and the fund's time zone.

Business rules (opening hours, delivery dates, months) are reckoned in
Europe/Paris; storage and tokens use UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Current time, aware, in UTC."""
    return datetime.now(timezone.utc)


def paris_today(now: datetime) -> date:
    return now.astimezone(PARIS).date()


def iso(moment: datetime) -> str:
    """ISO 8601 with an explicit offset, seconds precision."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"
