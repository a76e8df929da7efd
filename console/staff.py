"""The console's own database: staff accounts, their sessions and the audit log.

Passwords are argon2id hashes (argon2-cffi); a session cookie holds a random token whose
SHA-256 digest only is stored, with its CSRF token and an idle expiry that slides with use
(``CONSOLE_SESSION_TTL``) under an absolute limit of :data:`MAX_SESSION_HOURS`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine, make_url

MIN_PASSWORD_LENGTH = 12
MAX_SESSION_HOURS = 12
LOGIN_PATTERN = "lettres, chiffres, point, tiret ou tiret bas (3 à 64 caractères)"

metadata = sa.MetaData()
staff = sa.Table(
    "staff",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("login", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
sessions = sa.Table(
    "staff_sessions",
    metadata,
    sa.Column("token_digest", sa.String(64), primary_key=True),
    sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)
audit = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("actor", sa.String(80), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("target", sa.String(255)),
    sa.Column("detail", sa.Text),
)


class StaffError(ValueError):
    """A staff account cannot be created; the message is French, for the operator."""


@dataclass(frozen=True)
class StaffSession:
    login: str
    csrf_token: str
    expires_at: datetime


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back: they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def open_store(url: str) -> Engine:
    """Engine on the console database; creates the tables (and the SQLite folder) if needed."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, pool_pre_ping=True)
    metadata.create_all(engine)
    return engine


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def valid_login(login: str) -> bool:
    return 3 <= len(login) <= 64 and all(ch.isalnum() or ch in "._-" for ch in login)


def create_staff(engine: Engine, hasher: PasswordHasher, login: str, password: str) -> None:
    """New active account. Refuses a taken login and passwords under 12 characters."""
    if not valid_login(login):
        raise StaffError(f"Identifiant invalide : {LOGIN_PATTERN}.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(
            f"Le mot de passe doit comporter au moins {MIN_PASSWORD_LENGTH} caractères."
        )
    with engine.begin() as connection:
        exists = connection.execute(sa.select(staff.c.id).where(staff.c.login == login)).first()
        if exists:
            raise StaffError(f"Le compte « {login} » existe déjà.")
        connection.execute(
            staff.insert().values(
                login=login,
                password_hash=hasher.hash(password),
                active=True,
                created_at=utcnow(),
            )
        )


_DUMMY_HASH: dict[int, str] = {}


def authenticate(engine: Engine, hasher: PasswordHasher, login: str, password: str) -> int | None:
    """Staff id when the password is right; an unknown login costs the same time."""
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(staff.c.id, staff.c.password_hash).where(
                staff.c.login == login, staff.c.active.is_(True)
            )
        ).first()
    if row is None:
        dummy = _DUMMY_HASH.setdefault(id(hasher), hasher.hash(secrets.token_hex(8)))
        with contextlib.suppress(VerificationError, InvalidHashError):
            hasher.verify(dummy, password)
        return None
    try:
        hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return int(row.id)


def open_session(engine: Engine, staff_id: int, ttl: int) -> tuple[str, str]:
    """A new session: (cookie token, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = utcnow()
    with engine.begin() as connection:
        connection.execute(sessions.delete().where(sessions.c.expires_at < now))
        connection.execute(
            sessions.insert().values(
                token_digest=digest(token),
                staff_id=staff_id,
                csrf_token=csrf,
                created_at=now,
                expires_at=now + timedelta(seconds=ttl),
            )
        )
    return token, csrf


def session_for(engine: Engine, token: str, ttl: int) -> StaffSession | None:
    """The live session of this cookie token (its idle expiry pushed back), else None."""
    now = utcnow()
    key = digest(token)
    with engine.begin() as connection:
        row = connection.execute(
            sa.select(
                staff.c.login, sessions.c.csrf_token, sessions.c.created_at, sessions.c.expires_at
            )
            .select_from(sessions.join(staff, staff.c.id == sessions.c.staff_id))
            .where(sessions.c.token_digest == key, staff.c.active.is_(True))
        ).first()
        if row is None:
            return None
        hard_limit = _aware(row.created_at) + timedelta(hours=MAX_SESSION_HOURS)
        if _aware(row.expires_at) <= now or hard_limit <= now:
            connection.execute(sessions.delete().where(sessions.c.token_digest == key))
            return None
        expires = min(now + timedelta(seconds=ttl), hard_limit)
        connection.execute(
            sessions.update().where(sessions.c.token_digest == key).values(expires_at=expires)
        )
    return StaffSession(row.login, row.csrf_token, expires)


def close_session(engine: Engine, token: str) -> None:
    with engine.begin() as connection:
        connection.execute(sessions.delete().where(sessions.c.token_digest == digest(token)))


def record(
    engine: Engine, actor: str, action: str, target: str = "", detail: dict[str, Any] | None = None
) -> None:
    """One line of the audit log: who did what, on which conversation or selection."""
    with engine.begin() as connection:
        connection.execute(
            audit.insert().values(
                at=utcnow(),
                actor=actor[:80],
                action=action[:40],
                target=target[:255],
                detail=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True),
            )
        )


def audit_entries(engine: Engine, limit: int, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Most recent first, with the total count."""
    with engine.connect() as connection:
        total = connection.execute(sa.select(sa.func.count()).select_from(audit)).scalar_one()
        rows = connection.execute(
            sa.select(audit).order_by(audit.c.id.desc()).limit(limit).offset(offset)
        )
        entries = [
            {
                "at": _aware(row.at).isoformat(timespec="seconds"),
                "actor": row.actor,
                "action": row.action,
                "target": row.target or "",
                "detail": json.loads(row.detail or "{}"),
            }
            for row in rows
        ]
    return entries, int(total)
