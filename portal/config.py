"""Settings of the portal, read once from environment variables.

Without settings the portal is in production mode and refuses to start until PORTAL_SECRET
and PORTAL_SERVICE_KEY are strong (:mod:`carpimko.ops.deployment`); ``CARPIMKO_DEMO=1`` (``make
run``) gives demo mode: demo mailbox, demo clock, demo data, a random secret and the demo key.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from carpimko.ops.deployment import DEMO_SERVICE_KEY, SettingError, secret_setting
from carpimko.ops.deployment import demo_mode as demo_requested
from carpimko.ops.rates import RateLimit

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = REPO_ROOT / "var" / "portal.sqlite3"


class ConfigError(SettingError):
    """Raised when the environment holds an unusable setting."""


@dataclass(frozen=True)
class Settings:
    """All runtime settings; see docs/portal.md for the environment variables."""

    host: str = "127.0.0.1"
    port: int = 8080
    database_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    service_key: str = DEMO_SERVICE_KEY
    demo_mode: bool = False
    public_url: str = "http://localhost:8080"
    session_ttl_seconds: int = 15 * 60
    file_link_ttl_seconds: int = 10 * 60
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    smtp_sender: str = "CARPIMKO <ne-pas-repondre@carpimko.com>"
    rate_reset_dossier: RateLimit = RateLimit(5, 3600)
    rate_reset_client: RateLimit = RateLimit(20, 3600)
    rate_login_dossier: RateLimit = RateLimit(5, 900)
    rate_login_client: RateLimit = RateLimit(30, 900)
    rate_code_attempts: RateLimit = RateLimit(5, 900)
    rate_email_changes: RateLimit = RateLimit(5, 3600)
    upload_max_bytes: int = 5 * 1024 * 1024
    db_threads: int = 8
    # argon2id at OWASP's first recommended setting (19 MiB, 2 passes, 1 lane), and at most
    # argon2_max_concurrent hashes at once: the others wait their turn (docs/benchmarks.md).
    argon2_time_cost: int = 2
    argon2_memory_kib: int = 19456
    argon2_parallelism: int = 1
    argon2_max_concurrent: int = 2
    access_log: bool = False
    # Demo mode only: ISO 8601 start of the portal's clock (opening hours, dates); "" = now.
    clock_start: str = ""
    rate_identity_dossier: RateLimit = RateLimit(5, 3600)
    rate_identity_client: RateLimit = RateLimit(20, 3600)
    # Letters queued for printing per hour, every member together; past it a letter waits for
    # a person in the support console (portal/services/letters.py). 0: every letter waits.
    letters_per_hour: int = 100

    @property
    def request_max_size(self) -> int:
        """Largest accepted body: one upload plus room for the form fields."""
        return self.upload_max_bytes + 256 * 1024

    @property
    def smtp_enabled(self) -> bool:
        return bool(self.smtp_host)

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from PORTAL_* variables, refusing unsafe production setups."""
        env = os.environ if env is None else env
        get = env.get
        try:
            demo_mode = demo_requested(env)
            secret = secret_setting(env, "PORTAL_SECRET", demo_mode, secrets.token_urlsafe(32))
            service_key = secret_setting(env, "PORTAL_SERVICE_KEY", demo_mode)
        except SettingError as error:
            raise ConfigError(str(error)) from None
        defaults = cls()
        return cls(
            host=get("PORTAL_HOST", defaults.host),
            port=_int("PORTAL_PORT", get("PORTAL_PORT"), defaults.port),
            database_url=get("PORTAL_DATABASE_URL") or defaults.database_url,
            secret=secret,
            service_key=service_key,
            demo_mode=demo_mode,
            public_url=get("PORTAL_PUBLIC_URL", defaults.public_url).rstrip("/"),
            session_ttl_seconds=_int(
                "PORTAL_SESSION_TTL", get("PORTAL_SESSION_TTL"), defaults.session_ttl_seconds
            ),
            file_link_ttl_seconds=_int(
                "PORTAL_FILE_LINK_TTL", get("PORTAL_FILE_LINK_TTL"), defaults.file_link_ttl_seconds
            ),
            smtp_host=get("PORTAL_SMTP_HOST", ""),
            smtp_port=_int("PORTAL_SMTP_PORT", get("PORTAL_SMTP_PORT"), defaults.smtp_port),
            smtp_user=get("PORTAL_SMTP_USER", ""),
            smtp_password=get("PORTAL_SMTP_PASSWORD", ""),
            smtp_starttls=_bool("PORTAL_SMTP_STARTTLS", get("PORTAL_SMTP_STARTTLS", "true")),
            smtp_sender=get("PORTAL_SMTP_SENDER", defaults.smtp_sender),
            rate_reset_dossier=_rate(env, "PORTAL_RATE_RESET_DOSSIER", defaults.rate_reset_dossier),
            rate_reset_client=_rate(env, "PORTAL_RATE_RESET_CLIENT", defaults.rate_reset_client),
            rate_login_dossier=_rate(env, "PORTAL_RATE_LOGIN_DOSSIER", defaults.rate_login_dossier),
            rate_login_client=_rate(env, "PORTAL_RATE_LOGIN_CLIENT", defaults.rate_login_client),
            rate_code_attempts=_rate(env, "PORTAL_RATE_CODE_ATTEMPTS", defaults.rate_code_attempts),
            rate_email_changes=_rate(env, "PORTAL_RATE_EMAIL_CHANGES", defaults.rate_email_changes),
            upload_max_bytes=_int(
                "PORTAL_UPLOAD_MAX_BYTES", get("PORTAL_UPLOAD_MAX_BYTES"), defaults.upload_max_bytes
            ),
            db_threads=_int("PORTAL_DB_THREADS", get("PORTAL_DB_THREADS"), defaults.db_threads),
            argon2_time_cost=_int(
                "PORTAL_ARGON2_TIME_COST", get("PORTAL_ARGON2_TIME_COST"), defaults.argon2_time_cost
            ),
            argon2_memory_kib=_int(
                "PORTAL_ARGON2_MEMORY_KIB",
                get("PORTAL_ARGON2_MEMORY_KIB"),
                defaults.argon2_memory_kib,
            ),
            argon2_parallelism=_int(
                "PORTAL_ARGON2_PARALLELISM",
                get("PORTAL_ARGON2_PARALLELISM"),
                defaults.argon2_parallelism,
            ),
            argon2_max_concurrent=_int(
                "PORTAL_ARGON2_MAX_CONCURRENT",
                get("PORTAL_ARGON2_MAX_CONCURRENT"),
                defaults.argon2_max_concurrent,
            ),
            access_log=_bool("PORTAL_ACCESS_LOG", get("PORTAL_ACCESS_LOG", "false")),
            clock_start=_clock_start(get("PORTAL_CLOCK_START", ""), demo_mode),
            rate_identity_dossier=_rate(
                env, "PORTAL_RATE_IDENTITY_DOSSIER", defaults.rate_identity_dossier
            ),
            rate_identity_client=_rate(
                env, "PORTAL_RATE_IDENTITY_CLIENT", defaults.rate_identity_client
            ),
            letters_per_hour=_int(
                "PORTAL_LETTERS_PER_HOUR", get("PORTAL_LETTERS_PER_HOUR"), defaults.letters_per_hour
            ),
        )


def _bool(name: str, text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on", "oui"}:
        return True
    if lowered in {"0", "false", "no", "off", "non", ""}:
        return False
    raise ConfigError(f"{name} doit valoir true ou false, reçu {text!r}")


def _int(name: str, text: str | None, default: int) -> int:
    if text is None or text.strip() == "":
        return default
    try:
        value = int(text)
    except ValueError as exc:
        raise ConfigError(f"{name} doit être un entier, reçu {text!r}") from exc
    if value < 0:
        raise ConfigError(f"{name} doit être positif")
    return value


def _clock_start(text: str, demo_mode: bool) -> str:
    text = text.strip()
    if not text:
        return ""
    if not demo_mode:
        raise ConfigError("PORTAL_CLOCK_START n'est accepté qu'en mode démo (CARPIMKO_DEMO=1)")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ConfigError(f"PORTAL_CLOCK_START doit être une date ISO 8601, reçu {text!r}") from exc
    if moment.tzinfo is None:
        raise ConfigError("PORTAL_CLOCK_START doit préciser le fuseau (ex. +01:00)")
    return text


def _rate(env: Mapping[str, str], name: str, default: RateLimit) -> RateLimit:
    text = env.get(name)
    try:
        return default if not text else RateLimit.parse(name, text)
    except SettingError as error:
        raise ConfigError(str(error)) from None
