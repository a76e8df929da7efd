"""Small helpers shared by the actions: portal client per run, French dates, channel."""

from __future__ import annotations

from datetime import date, datetime, time

from rasa_sdk import Tracker

from actions.config import Settings, load_settings
from actions.portal_client import PortalClient

FRENCH_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
FRENCH_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip

CHANNELS = {"socketio": "web", "rest": "rest", "ivr": "ivr", "console": "console"}


def french_date(day: date) -> str:
    """« lundi 30 novembre 2026 » (« 1er » for the first day of a month)."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{FRENCH_DAYS[day.weekday()]} {number} {FRENCH_MONTHS[day.month - 1]} {day.year}"


def french_time(moment: datetime | time) -> str:
    """« 8 h 45 », « 12 h 45 »: how the fund writes its hours."""
    return f"{moment.hour} h {moment.minute:02d}"


def client_id(tracker: Tracker) -> str:
    """Who the portal rate-limits: the client the channel saw (``client_ip``, or the phone
    channel's ``client_id``), stamped by the channel over anything the user sent
    (carpimko/channels/client.py); a conversation without one (shell) is its own client."""
    metadata = tracker.latest_message.get("metadata") or {}
    for key in ("client_ip", "client_id"):
        value = metadata.get(key) if isinstance(metadata, dict) else None
        if isinstance(value, str) and value.strip():
            return value.strip()[:64]
    return f"conversation-{tracker.sender_id}"[:64]


def channel_of(tracker: Tracker) -> str:
    """Portal channel name (web, ivr, rest, console) of the conversation."""
    name = tracker.get_latest_input_channel() or ""
    return CHANNELS.get(name, "web" if name else "rest")


def portal_for(tracker: Tracker, settings: Settings | None = None) -> PortalClient:
    """A client for one action run (use with ``async with``)."""
    return PortalClient(settings or load_settings(), client_id=client_id(tracker))
