"""Passwords, one-time secrets and signed tokens.

Passwords are hashed with argon2id; e-mail tokens and confirmation codes are
stored as keyed SHA-256 digests so a database dump reveals none of them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from portal.config import Settings
from portal.errors import Gone, NotFound, Unauthorized, ValidationFailed

SESSION_AUDIENCE = "carpimko-portal-session"


class BoundedPasswordHasher(PasswordHasher):
    """argon2id with at most ``max_concurrent`` hashes or checks running at once.

    Each one holds ``memory_cost`` KiB while it runs, and they run in the portal's database
    threads: ten logins at once would need ten times that memory. Above the bound, a login
    waits for its turn (a few tens of milliseconds) instead of growing the portal's memory.
    """

    def __init__(self, *args: Any, max_concurrent: int = 2, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if max_concurrent < 1:
            raise ValueError("max_concurrent must be at least 1")
        self.max_concurrent = max_concurrent
        self._slots = threading.BoundedSemaphore(max_concurrent)

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        with self._slots:
            return super().hash(password, salt=salt)

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        with self._slots:
            return super().verify(hash, password)


def make_hasher(settings: Settings) -> BoundedPasswordHasher:
    return BoundedPasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
        max_concurrent=settings.argon2_max_concurrent,
    )


def verify_password(hasher: PasswordHasher, stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        return False
    try:
        return hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problems(password: str) -> list[str]:
    """What the password lacks, in the words of the fund's guide."""
    problems = []
    if len(password) < 8:
        problems.append("au moins 8 caractères")
    if not any(c.islower() for c in password):
        problems.append("une lettre minuscule")
    if not any(c.isupper() for c in password):
        problems.append("une lettre majuscule")
    if not any(c.isdigit() for c in password):
        problems.append("un chiffre")
    return problems


def check_new_password(password: str, confirmation: str) -> None:
    """Enforce the rules (≥ 8 characters, lower, upper, digit) and the confirmation."""
    problems = password_problems(password)
    if problems:
        raise ValidationFailed(
            "Le mot de passe doit contenir " + ", ".join(problems) + ".",
            field="new_password",
            code="mot_de_passe_trop_faible",
        )
    if not hmac.compare_digest(password.encode(), confirmation.encode()):
        raise ValidationFailed(
            "La confirmation ne correspond pas au mot de passe saisi.",
            field="new_password_confirmation",
        )


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str, value: str) -> str:
    """Keyed hash of a token or code, as stored in the database."""
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def new_temporary_password() -> str:
    """Ten characters that satisfy the rules, without look-alike letters."""
    lower = "abcdefghjkmnpqrstuvwxyz"
    upper = "ABCDEFGHJKMNPQRSTUVWXYZ"
    digits = "23456789"
    alphabet = lower + upper + digits
    chars = [secrets.choice(lower), secrets.choice(upper), secrets.choice(digits)]
    chars += [secrets.choice(alphabet) for _ in range(7)]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


@dataclass(frozen=True)
class SessionClaims:
    dossier_number: str
    profile: str
    epoch: int
    must_change_password: bool


def issue_session(settings: Settings, claims: SessionClaims, now: datetime) -> tuple[str, datetime]:
    expires = now + timedelta(seconds=settings.session_ttl_seconds)
    payload = {
        "sub": claims.dossier_number,
        "profile": claims.profile,
        "epoch": claims.epoch,
        "mcp": claims.must_change_password,
        "aud": SESSION_AUDIENCE,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(payload, settings.secret, algorithm="HS256"), expires


def read_session(settings: Settings, token: str, now: datetime) -> SessionClaims:
    try:
        payload = _decode(settings, token, SESSION_AUDIENCE, now)
        return SessionClaims(
            dossier_number=str(payload["sub"]),
            profile=str(payload["profile"]),
            epoch=int(payload["epoch"]),
            must_change_password=bool(payload["mcp"]),
        )
    except _Expired as exc:
        raise Unauthorized(
            "Votre session a expiré : veuillez vous reconnecter.", code="session_expiree"
        ) from exc
    except (jwt.PyJWTError, KeyError, TypeError, ValueError) as exc:
        raise Unauthorized("Session invalide : veuillez vous reconnecter.") from exc


def issue_file_link(
    settings: Settings, document_id: str, dossier_number: str, now: datetime
) -> tuple[str, datetime]:
    """A signed download URL that needs no session and dies after a few minutes.

    A compact HMAC token rather than a JWT: a document list signs one per row.
    """
    expires = now + timedelta(seconds=settings.file_link_ttl_seconds)
    claims = {"doc": document_id, "sub": dossier_number, "exp": int(expires.timestamp())}
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{settings.public_url}/api/v1/files/{body}.{_link_signature(settings, body)}", expires


def read_file_link(settings: Settings, token: str, now: datetime) -> tuple[str, str]:
    """Return (document id, dossier number) of a valid link."""
    body, _, signature = token.partition(".")
    if not hmac.compare_digest(signature.encode(), _link_signature(settings, body).encode()):
        raise NotFound("Ce lien de téléchargement n'est pas valide.")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    if claims["exp"] <= int(now.timestamp()):
        raise Gone(
            "Ce lien de téléchargement a expiré : demandez un nouveau lien.", code="lien_expire"
        )
    return str(claims["doc"]), str(claims["sub"])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _link_signature(settings: Settings, body: str) -> str:
    key = hashlib.sha256(f"file-link:{settings.secret}".encode()).digest()
    return _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())


class _Expired(Exception):
    """The signature is good but the token is past its expiry."""


def _decode(settings: Settings, token: str, audience: str, now: datetime) -> dict[str, Any]:
    # Expiry is checked against the application clock, not the system clock.
    payload: dict[str, Any] = jwt.decode(
        token,
        settings.secret,
        algorithms=["HS256"],
        audience=audience,
        options={"require": ["exp", "aud"], "verify_exp": False},
    )
    expires = payload.get("exp")
    if not isinstance(expires, int) or expires <= int(now.astimezone(timezone.utc).timestamp()):
        raise _Expired()
    return payload


def constant_time_equals(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode(), right.encode())
