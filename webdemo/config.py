"""Settings of the demo site, read once from the environment (defaults: one machine).

The site shows demo accounts and links to the portal's demo mailbox: it starts only in demo
mode (``CARPIMKO_DEMO=1``, set by ``make run``), never by default (:mod:`carpimko.ops.deployment`).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from carpimko.ops.deployment import DEMO_FLAG, SettingError, demo_mode

ROOT = Path(__file__).resolve().parents[1]


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "oui", "on"}


@dataclass(frozen=True)
class Settings:
    """Where the site listens and where the browser and the server reach the other services."""

    host: str = "127.0.0.1"
    port: int = 8000
    # Server-side calls (login): the portal as this process reaches it.
    portal_url: str = "http://127.0.0.1:8080"
    # Links shown to the browser (demo mailbox): the portal as the user's browser reaches it.
    portal_public_url: str = "http://localhost:8080"
    # socket.io base URL used by the browser (Rasa's socket.io channel).
    rasa_public_url: str = "http://localhost:5005"
    socketio_path: str = "/socket.io"
    static_dir: Path = ROOT / "web" / "static"
    # Key of the session cookie's HMAC; random per start unless set (sessions then end on restart).
    secret: str = ""
    cookie_secure: bool = False
    session_ttl: int = 900
    # Largest file the chat widget may send on to the portal (the portal's own limit,
    # PORTAL_UPLOAD_MAX_BYTES, is the one that decides and words the refusal).
    upload_max_bytes: int = 5 * 1024 * 1024

    @classmethod
    def from_env(cls) -> Settings:
        """Reads WEB_*, PORTAL_URL, PORTAL_PUBLIC_URL and RASA_PUBLIC_URL.

        Raises:
            SettingError: demo mode was not asked for.
        """
        env = os.environ
        if not demo_mode(env):
            raise SettingError(
                f"le site de démonstration ne démarre qu'en mode démonstration ({DEMO_FLAG}=1)."
            )
        return cls(
            host=env.get("WEB_HOST", cls.host),
            port=int(env.get("WEB_PORT", cls.port)),
            portal_url=env.get("PORTAL_URL", cls.portal_url).rstrip("/"),
            portal_public_url=env.get("PORTAL_PUBLIC_URL", cls.portal_public_url).rstrip("/"),
            rasa_public_url=env.get("RASA_PUBLIC_URL", cls.rasa_public_url).rstrip("/"),
            socketio_path=env.get("RASA_SOCKETIO_PATH", cls.socketio_path),
            static_dir=Path(env.get("WEB_STATIC_DIR", str(cls.static_dir))),
            secret=env.get("WEB_SECRET") or secrets.token_urlsafe(32),
            cookie_secure=_flag(env.get("WEB_COOKIE_SECURE", "false")),
            session_ttl=int(env.get("WEB_SESSION_TTL", cls.session_ttl)),
            upload_max_bytes=int(env.get("PORTAL_UPLOAD_MAX_BYTES", cls.upload_max_bytes)),
        )
