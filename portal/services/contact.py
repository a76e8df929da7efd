"""Contact details and opening hours: the one source the bot and the IVR read."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from portal.services.delivery import is_working_day
from portal.timeutil import PARIS

PHONE = "01 30 48 10 00"
PHONE_E164 = "+33130481000"
OPENING = time(8, 45)
CLOSING = time(12, 45)
DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi"]
POSTAL_ADDRESS = {
    "name": "CARPIMKO",
    "line1": "6 place Charles de Gaulle",
    "postal_code": "78882",
    "city": "Saint-Quentin-en-Yvelines Cedex",
    "country": "FR",
}
WEBSITE = "https://www.carpimko.com"


def _opening_on(day: datetime) -> tuple[datetime, datetime] | None:
    local_day = day.date()
    if not is_working_day(local_day):
        return None
    start = datetime.combine(local_day, OPENING, tzinfo=PARIS)
    return start, datetime.combine(local_day, CLOSING, tzinfo=PARIS)


def next_opening(at: datetime) -> datetime:
    """Start of the first opening period strictly after `at`."""
    local = at.astimezone(PARIS)
    for offset in range(0, 15):
        period = _opening_on(local + timedelta(days=offset))
        if period and period[0] > local:
            return period[0]
    raise RuntimeError("no opening within two weeks")  # pragma: no cover


def contact_info(at: datetime) -> dict[str, Any]:
    local = at.astimezone(PARIS)
    today = _opening_on(local)
    open_now = bool(today and today[0] <= local < today[1])
    return {
        "phone": PHONE,
        "phone_e164": PHONE_E164,
        "opening_hours": {
            "timezone": "Europe/Paris",
            "days": DAYS,
            "opens": OPENING.strftime("%H:%M"),
            "closes": CLOSING.strftime("%H:%M"),
            "closed_on_public_holidays": True,
            "text": "du lundi au vendredi de 8 h 45 à 12 h 45, hors jours fériés",
        },
        "postal_address": POSTAL_ADDRESS,
        "website": WEBSITE,
        "secure_messaging": "Espace Personnel, rubrique « Nous écrire »",
        "at": local.isoformat(),
        "open_now": open_now,
        "closes_at": today[1].isoformat() if open_now and today else None,
        "next_opening": next_opening(at).isoformat(),
    }
