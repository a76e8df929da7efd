"""Jinja2 environment of the console: autoescaped HTML, French labels, dates in Paris time."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape

from console.conversations import CHANNEL_LABELS, OUTCOME_LABELS

PARIS = ZoneInfo("Europe/Paris")


def local_time(value: Any) -> str:
    """« 23/11/2026 19:42 » (Paris) from a Rasa timestamp or an ISO string."""
    if value in (None, ""):
        return ""
    if isinstance(value, (int, float)):
        moment = datetime.fromtimestamp(value, tz=timezone.utc)
    else:
        moment = datetime.fromisoformat(str(value))
    return moment.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")


def make_environment() -> Environment:
    """Every ``{{ value }}`` is HTML-escaped, in .html templates and in strings alike."""
    env = Environment(
        loader=PackageLoader("console", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local_time"] = local_time
    env.globals["CHANNEL_LABELS"] = CHANNEL_LABELS
    env.globals["OUTCOME_LABELS"] = OUTCOME_LABELS
    return env
