"""REST input channel (POST /webhooks/rest/webhook) that checks what it is sent.

Rasa 3.6's ``RestInput`` trusts the body: a JSON array or a number answers 500, a missing
``sender`` files the message under the shared conversation « default », ``input_channel`` is
taken from the client, any metadata is stored in the tracker, and a failed turn is logged with
the user's text. This subclass keeps the same URL, name and answer (the list of bot messages)
and refuses a malformed body with 400 and a French JSON error; the turn itself goes through
:func:`carpimko.channels.guard.guard_turns` (clean text, length bound, never silent).
The body size is bounded by Sanic (``SANIC_REQUEST_MAX_SIZE``, set by scripts/run.sh).
A client that may retry puts ``{"message_id": "…"}`` in ``metadata``: a message sent again
with the same id is answered from the tracker, not processed twice (``idempotency.py``).
The metadata's ``client_ip`` is always the transport's client address
(:mod:`carpimko.channels.client`), whatever the body says; past the channel's rate limits
(:mod:`carpimko.channels.limits`) the answer is 429 with ``Retry-After`` and the bot's
message saying when to come back.

credentials.yml names it ``carpimko.channels.rest.GuardedRestInput:``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, Request, Sanic
from sanic.response import HTTPResponse
from sanic.response import json as json_response

from carpimko.channels.client import request_client, stamp_client
from carpimko.channels.guard import Throttled, guard_turns, harden_agent, valid_sender
from carpimko.channels.idempotency import MESSAGE_ID_KEY, message_id

logger = logging.getLogger(__name__)

MAX_METADATA_BYTES = 4096


class BadRequest(Exception):
    """The body cannot be a user turn; the message says why, in French."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def parse_turn(body: bytes) -> tuple[str, str, dict[str, Any] | None]:
    """(sender, message, metadata) of a REST body, or :class:`BadRequest`."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadRequest("Le corps de la requête doit être un objet JSON valide (UTF-8).") from None
    if not isinstance(data, dict):
        raise BadRequest("Le corps de la requête doit être un objet JSON.")
    sender = data.get("sender")
    if not isinstance(sender, str) or not valid_sender(sender):
        raise BadRequest(
            "« sender » est obligatoire : 1 à 128 lettres, chiffres ou _ . : @ + -.", "sender"
        )
    message = data.get("message")
    if not isinstance(message, str):
        raise BadRequest("« message » est obligatoire et doit être un texte.", "message")
    metadata = data.get("metadata")
    if metadata is not None:
        if not isinstance(metadata, dict):
            raise BadRequest("« metadata » doit être un objet JSON.", "metadata")
        if len(json.dumps(metadata)) > MAX_METADATA_BYTES:
            raise BadRequest("« metadata » est trop volumineux (4 Kio au plus).", "metadata")
        if MESSAGE_ID_KEY in metadata and message_id(metadata) is None:
            raise BadRequest(
                "« metadata.message_id » : 1 à 64 lettres, chiffres ou _ . : -.", "metadata"
            )
    return sender, message, metadata


def error(
    status: int, message: str, field: str | None = None, code: str = "requete_invalide"
) -> HTTPResponse:
    detail: dict[str, Any] = {"code": code, "message": message}
    if field:
        detail["field"] = field
    return json_response({"error": detail}, status=status)


class GuardedRestInput(RestInput):
    """Rasa's REST channel with its input checked and its turns guarded."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        state: dict[str, Sanic] = {}
        guarded = guard_turns(on_new_message, lambda: _agent(state), reraise=True)
        webhook = Blueprint("guarded_rest_webhook", __name__)

        @webhook.listener("after_server_start")
        async def remember_app(app: Sanic, _: Any) -> None:
            state["app"] = app
            harden_agent(getattr(app.ctx, "agent", None))

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return json_response({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                sender, text, metadata = parse_turn(request.body)
            except BadRequest as bad:
                return error(400, bad.message, bad.field)
            collector = CollectingOutputChannel()
            metadata = stamp_client(metadata, request_client(request))
            message = UserMessage(
                text, collector, sender, input_channel=self.name(), metadata=metadata
            )
            try:
                await guarded(message)
            except Throttled as throttled:
                headers = {"Retry-After": str(throttled.retry_after)}
                return json_response(collector.messages, status=429, headers=headers)
            except Exception as failure:  # only the type: the user's text stays out of the log
                logger.error("REST turn failed (%s)", type(failure).__name__)
                return error(
                    503,
                    "L'assistant est momentanément indisponible. Réessayez.",
                    code="service_indisponible",
                )
            return json_response(collector.messages)

        return webhook


def _agent(state: dict[str, Sanic]) -> Any:
    app = state.get("app")
    return getattr(app.ctx, "agent", None) if app is not None else None
