"""What ties log lines together: the request id and the (hashed) conversation id.

**Request id.** The first service a request reaches (a channel of the Rasa server, the demo
site, the console; or nginx in front of several Rasa instances) draws an id; each call it makes
to another service sends it as ``X-Request-ID``, and the receiving service keeps it
(:func:`begin`) instead of drawing a new one: Rasa → action server → portal share one id per
user message.

**Conversation id.** Log lines carry a keyed hash of the conversation (sender) id, never the
id itself (a phone channel's sender may be a phone number): HMAC-SHA256 with ``LOG_HASH_KEY``,
16 hex digits. scripts/run.sh draws that key once per start and gives it to every service, so
the same conversation has the same hash in the Rasa and action-server logs; unset, each
process draws its own (hashes then match within one process only).

Both live in ``ContextVar`` s: one Sanic request (or one socket.io message) is one task, so
log lines and outgoing calls read them without passing them around.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import uuid
from contextvars import ContextVar
from functools import lru_cache

HEADER = "X-Request-ID"
HASH_KEY_SETTING = "LOG_HASH_KEY"
_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_REQUEST: ContextVar[str | None] = ContextVar("carpimko_request_id", default=None)
_CONVERSATION: ContextVar[str | None] = ContextVar("carpimko_conversation", default=None)


def begin(received: str | None = None) -> str:
    """Start a request: keep a well-formed received id (else draw one) and make it current;
    the conversation is unknown until :func:`bind_conversation`."""
    rid = received if received and _VALID.match(received) else uuid.uuid4().hex
    _REQUEST.set(rid)
    _CONVERSATION.set(None)
    return rid


def request_id() -> str | None:
    """The id of the request being handled, if any."""
    return _REQUEST.get()


def headers() -> dict[str, str]:
    """``{"X-Request-ID": id}`` for an outgoing call, or nothing outside a request."""
    rid = _REQUEST.get()
    return {HEADER: rid} if rid else {}


@lru_cache(maxsize=1)
def _hash_key() -> bytes:
    key = os.environ.get(HASH_KEY_SETTING, "")
    return key.encode() if key else secrets.token_bytes(32)


def conversation_hash(sender_id: str) -> str:
    """The keyed hash under which a conversation appears in the logs."""
    return hmac.new(_hash_key(), sender_id.encode(), hashlib.sha256).hexdigest()[:16]


def bind_conversation(sender_id: str | None) -> None:
    """The conversation the current request is about (hashed at once)."""
    _CONVERSATION.set(conversation_hash(sender_id) if sender_id else None)


def conversation() -> str | None:
    """The hashed conversation id of the current request, if known."""
    return _CONVERSATION.get()
