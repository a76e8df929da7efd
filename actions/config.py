"""Settings of the action server, read once from environment variables.

Every variable has a default that works for `make run` on one machine; `.env.example`
documents them. Reading happens in :func:`load_settings`, never at import time, so tests
can set the environment first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Settings:
    """Action server configuration."""

    timezone: ZoneInfo
    evening_starts_at_hour: int


def load_settings() -> Settings:
    """Build the settings from the environment (with documented defaults)."""
    return Settings(
        timezone=ZoneInfo(os.environ.get("CARPIMKO_TIMEZONE", "Europe/Paris")),
        evening_starts_at_hour=int(os.environ.get("CARPIMKO_EVENING_HOUR", "18")),
    )
