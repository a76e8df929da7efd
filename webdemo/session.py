"""The Espace Personnel session cookie: the portal's token, with our own HMAC over it.

The portal token is already signed by the portal; the HMAC makes the cookie ours too, so a
token pasted into the cookie by hand (or by another site) is ignored before any portal call.
"""

from __future__ import annotations

import hashlib
import hmac

COOKIE = "carpimko_session"


def sign(token: str, secret: str) -> str:
    """Cookie value for `token`: `token~hex(hmac)` (JWT characters are cookie-safe)."""
    mac = hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()
    return f"{token}~{mac}"


def unsign(value: str | None, secret: str) -> str | None:
    """The token inside a cookie value, or None when the value was not signed by us."""
    if not value or "~" not in value:
        return None
    token, _, mac = value.rpartition("~")
    expected = hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()
    return token if token and hmac.compare_digest(mac, expected) else None
