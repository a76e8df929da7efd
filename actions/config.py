"""Settings of the action server, read once from environment variables.

Every variable has a default that works for `make run` on one machine; `.env.example`
documents them. Outside demo mode (``CARPIMKO_DEMO`` unset, :mod:`carpimko.ops.deployment`)
``PORTAL_SERVICE_KEY`` must be a strong secret: the server refuses to start otherwise.
Reading happens in :func:`load_settings`, never at import time, so tests can set the
environment first.

| variable | default | meaning |
| --- | --- | --- |
| ``CARPIMKO_TIMEZONE`` | ``Europe/Paris`` | fund's time zone (greetings, dates) |
| ``CARPIMKO_EVENING_HOUR`` | ``18`` | from this hour the assistant says « Bonsoir » |
| ``PORTAL_URL`` | ``http://127.0.0.1:8080`` | base URL of the Espace Personnel API |
| ``PORTAL_SERVICE_KEY`` | ``demo-service-key`` (demo only) | ``X-Service-Key`` sent to the portal |
| ``PORTAL_TIMEOUT`` | ``2.0`` | seconds per request (connect, read, write, pool); capped at 2 |
| ``PORTAL_READ_RETRIES`` | ``1`` | extra attempts for idempotent GETs only (0 or 1) |
| ``ACTIONS_SEAL_KEY`` | drawn per process | Fernet key of ``actions/sealed.py``; the same on |
|  |  | every action server instance (else a sealed value is asked again) |
| ``ACTIONS_SEAL_SECONDS`` | ``1800`` | how long a sealed value can be read back |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from cryptography.fernet import Fernet

from carpimko.ops.deployment import DEMO_SERVICE_KEY, demo_mode, secret_setting

MAX_PORTAL_TIMEOUT = 2.0
"""The user must get an answer within 3 s even when the portal hangs."""


@dataclass(frozen=True)
class Settings:
    """Action server configuration."""

    timezone: ZoneInfo
    evening_starts_at_hour: int
    portal_url: str = "http://127.0.0.1:8080"
    portal_service_key: str = DEMO_SERVICE_KEY
    portal_timeout: float = MAX_PORTAL_TIMEOUT
    portal_read_retries: int = 1
    seal_key: bytes = b""
    seal_seconds: int = 1800


@lru_cache(maxsize=1)
def _process_seal_key() -> bytes:
    """One key per process when none is set: a value sealed before a restart is asked again."""
    return Fernet.generate_key()


def load_settings() -> Settings:
    """Build the settings from the environment (with documented defaults).

    Raises:
        SettingError: outside demo mode, PORTAL_SERVICE_KEY is missing or weak.
    """
    timeout = float(os.environ.get("PORTAL_TIMEOUT", str(MAX_PORTAL_TIMEOUT)))
    retries = int(os.environ.get("PORTAL_READ_RETRIES", "1"))
    return Settings(
        timezone=ZoneInfo(os.environ.get("CARPIMKO_TIMEZONE", "Europe/Paris")),
        evening_starts_at_hour=int(os.environ.get("CARPIMKO_EVENING_HOUR", "18")),
        portal_url=os.environ.get("PORTAL_URL", "http://127.0.0.1:8080").rstrip("/"),
        portal_service_key=secret_setting(os.environ, "PORTAL_SERVICE_KEY", demo_mode()),
        portal_timeout=min(max(timeout, 0.1), MAX_PORTAL_TIMEOUT),
        portal_read_retries=min(max(retries, 0), 1),
        seal_key=os.environ.get("ACTIONS_SEAL_KEY", "").encode() or _process_seal_key(),
        seal_seconds=int(os.environ.get("ACTIONS_SEAL_SECONDS", "1800")),
    )
