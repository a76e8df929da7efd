"""Settings of the support console and of the `carpimko` CLI, read once from the environment.

Variables (defaults work for `make run` on one machine; docs/console.md lists them too):

- ``CONSOLE_HOST`` / ``CONSOLE_PORT``: ``127.0.0.1`` / ``8090``.
- ``CONSOLE_DATABASE_URL``: staff accounts, sessions, audit log
  (``sqlite:///<repo>/var/console.sqlite3``; a ``postgresql://`` URL works too).
- ``CONSOLE_TRACKER_URL``: SQLAlchemy URL of Rasa's tracker store; when empty, ``TRACKER_DB``
  (the SQLite file endpoints.yml gives Rasa, ``var/tracker.sqlite3``, or a full URL).
- ``CONSOLE_SESSION_TTL``: seconds a staff session lives without activity (``1800``).
- ``CONSOLE_COOKIE_SECURE``: ``Secure`` cookie, set it behind HTTPS (``false``).
- ``CONSOLE_PAGE_SIZE``: conversations per page (``50``).
- ``CONSOLE_PSEUDONYM_KEY``: key of the member pseudonyms of the dashboard's 24-hour rule
  (``demo-pseudonym-key``; set a secret in production).
- ``TRANSCRIPT_RETENTION_DAYS``: default of ``carpimko transcripts purge`` (``365``).
- ``PORTAL_URL`` / ``PORTAL_SERVICE_KEY``: where the handoff tickets are
  (``http://127.0.0.1:8080`` / ``demo-service-key`` in demo mode only: outside ``CARPIMKO_DEMO=1``
  the key must be a strong secret or the console does not start, :mod:`carpimko.ops.deployment`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from carpimko.ops.deployment import DEMO_SERVICE_KEY, demo_mode, secret_setting

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RETENTION_DAYS = 365
"""GDPR: conversations are kept one year after their last message, then purged."""


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "oui", "on"}


def sqlite_url(path: str) -> str:
    """`sqlite:///` URL of a file path, relative paths taken from the repository root."""
    file = Path(path)
    if not file.is_absolute():
        file = ROOT / file
    return f"sqlite:///{file}"


def tracker_url_from_env(env: dict[str, str] | None = None) -> str:
    """The tracker store Rasa writes: CONSOLE_TRACKER_URL, else TRACKER_DB (file or URL)."""
    env = dict(os.environ) if env is None else env
    url = env.get("CONSOLE_TRACKER_URL", "").strip()
    if url:
        return url
    db = env.get("TRACKER_DB", "").strip() or "var/tracker.sqlite3"
    return db if "://" in db else sqlite_url(db)


@dataclass(frozen=True)
class Settings:
    """Where the console listens, which databases it reads, how long sessions last."""

    host: str = "127.0.0.1"
    port: int = 8090
    database_url: str = ""
    tracker_url: str = ""
    session_ttl: int = 1800
    cookie_secure: bool = False
    page_size: int = 50
    retention_days: int = DEFAULT_RETENTION_DAYS
    portal_url: str = "http://127.0.0.1:8080"
    portal_service_key: str = DEMO_SERVICE_KEY
    pseudonym_key: str = "demo-pseudonym-key"

    @classmethod
    def from_env(cls) -> Settings:
        """Raises SettingError when, outside demo mode, PORTAL_SERVICE_KEY is missing or weak."""
        env = os.environ
        return cls(
            host=env.get("CONSOLE_HOST", cls.host),
            port=int(env.get("CONSOLE_PORT", cls.port)),
            database_url=env.get("CONSOLE_DATABASE_URL", "").strip()
            or sqlite_url("var/console.sqlite3"),
            tracker_url=tracker_url_from_env(dict(env)),
            session_ttl=int(env.get("CONSOLE_SESSION_TTL", cls.session_ttl)),
            cookie_secure=_flag(env.get("CONSOLE_COOKIE_SECURE", "false")),
            page_size=int(env.get("CONSOLE_PAGE_SIZE", cls.page_size)),
            retention_days=int(env.get("TRANSCRIPT_RETENTION_DAYS", cls.retention_days)),
            portal_url=env.get("PORTAL_URL", cls.portal_url).rstrip("/"),
            portal_service_key=secret_setting(env, "PORTAL_SERVICE_KEY", demo_mode(env)),
            pseudonym_key=secret_setting(
                env, "CONSOLE_PSEUDONYM_KEY", demo_mode(env), cls.pseudonym_key
            ),
        )
