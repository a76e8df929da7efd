"""Values a form needs for the portal, kept in a slot only sealed (encrypted and dated).

A form slot lives in the conversation store until the procedure ends. The IBAN of a RIB change
and the number of a callback must reach the portal, but never the store in clear. The
validating action seals the value with a key only the action servers hold
(``ACTIONS_SEAL_KEY``, Fernet: AES and HMAC), bound to the conversation; the slot holds the
sealed text, which the store keeps as it is (:data:`carpimko.text.privacy.SEALED_PREFIX`). The
submitting action unseals it; a sealed value older than ``ACTIONS_SEAL_SECONDS``, from another
conversation or altered cannot be read back, and the form asks again.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from actions.config import Settings, load_settings
from carpimko.text.privacy import SEALED_PREFIX

_SEPARATOR = "\x1f"


def seal(value: str, conversation_id: str, settings: Settings | None = None) -> str:
    """The sealed form of ``value`` for this conversation."""
    key = (settings or load_settings()).seal_key
    token = Fernet(key).encrypt(f"{conversation_id}{_SEPARATOR}{value}".encode())
    return SEALED_PREFIX + token.decode()


def unseal(sealed: object, conversation_id: str, settings: Settings | None = None) -> str | None:
    """The value sealed for this conversation, or None when it cannot be read back."""
    if not isinstance(sealed, str) or not sealed.startswith(SEALED_PREFIX):
        return None
    settings = settings or load_settings()
    try:
        plain = Fernet(settings.seal_key).decrypt(
            sealed[len(SEALED_PREFIX) :].encode(), ttl=settings.seal_seconds
        )
    except (InvalidToken, ValueError):
        return None
    owner, _, value = plain.decode().partition(_SEPARATOR)
    return value if owner == conversation_id else None
