"""Rasa input channel for the web widget: Rasa 3.6's socket.io channel, with its room bug fixed.

Rasa 3.6's `SocketIOInput.session_request` calls `sio.enter_room(...)` without `await`
(RasaHQ/rasa#13027). Since python-socketio 5.10 `AsyncServer.enter_room` is a coroutine, so
with `session_persistence: true` the socket never joins the room of its session id and every
bot answer (emitted to that room) is lost: the widget would never see a reply. This subclass
re-registers that one handler with the `await`; everything else is Rasa's own code.

Each turn goes through :func:`carpimko.channels.guard.guard_turns` (clean text, length bound,
an apology instead of silence when the action server fails), as on the REST channel, and its
answers are held back until the tracker is saved (:func:`answer_after_save`): Rasa emits each
message as it is produced, so a failed save used to leave the user with answers that were
never stored.

Sessions belong to the socket that created them (:class:`SessionBindings`). Rasa's channel let
any client join any session's room by naming it in ``session_request`` (and so receive its
answers, PDF links included) and post in it. Here a session id is bound to the first socket
that asks for it; another socket naming it while the owner is connected gets a fresh session of
its own, unless it comes from the owner's own address (the widget reconnecting before the old
socket timed out: the old one is then evicted). Messages are processed only from the socket
bound to their session; once a logged-in member has spoken in a session, only that member's
portal session may speak in it. Session ids must match the channel's sender id pattern, and
each message's metadata carries the socket's real client address (``client_ip``).

credentials.yml names it `carpimko.channels.socketio.WebSocketIOInput:` (same keys as `socketio:`).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import jwt
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic

from carpimko.channels.client import request_client, stamp_client
from carpimko.channels.guard import guard_turns, harden_agent, valid_sender

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class HeldOutput(OutputChannel):
    """Keeps a turn's bot messages until :meth:`release`; named like the channel it holds for
    (responses have channel variants)."""

    def __init__(self, channel: OutputChannel) -> None:
        self.channel = channel
        self.held: list[tuple[str, dict[str, Any]]] = []

    def name(self) -> str:
        return self.channel.name()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.held.append((recipient_id, message))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})

    async def release(self) -> None:
        for recipient_id, message in self.held:
            await self.channel.send_response(recipient_id, message)
        self.held.clear()


def answer_after_save(on_new_message: OnNewMessage) -> OnNewMessage:
    """``on_new_message`` whose answers reach the socket only once Rasa has saved the turn
    (``handle_message`` returns after the save); if the turn fails they are dropped and the
    guard's apology is all the user sees."""

    async def held(message: UserMessage) -> Any:
        channel = message.output_channel
        output = HeldOutput(channel)
        message.output_channel = output
        try:
            result = await on_new_message(message)
        finally:
            message.output_channel = channel
        await output.release()
        return result

    return held


def member_of(metadata: dict[str, Any]) -> str | None:
    """The dossier number a portal token names (``sub``), read without its signature: only to
    keep one member's session from another's; the portal checks the token on every use."""
    token = metadata.get("portal_token")
    if not isinstance(token, str) or not token:
        return None
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    sub = claims.get("sub")
    return str(sub) if sub else None


@dataclass
class Binding:
    """Who owns a session: its socket (None once gone), that socket's address, its member."""

    sid: str | None
    client: str
    member: str | None = None


class SessionBindings:
    """Session id → owner. Bounded: past ``max_sessions`` the oldest ended sessions are
    forgotten (their ids can then be claimed again, as after a restart)."""

    def __init__(self, max_sessions: int = 50_000) -> None:
        self.clients: dict[str, str] = {}  # sid → client address, from connect to disconnect
        self._sessions: OrderedDict[str, Binding] = OrderedDict()
        self._max = max_sessions

    def claim(self, sid: str, session_id: str) -> tuple[bool, str | None]:
        """Whether `sid` may have `session_id`, and the socket it evicts (same address)."""
        client = self.clients.get(sid, "inconnu")
        binding = self._sessions.get(session_id)
        evicted = None
        if binding is not None and binding.sid not in (None, sid):
            if binding.client != client:
                return False, None
            evicted = binding.sid
        if binding is None:
            binding = Binding(sid, client)
        binding.sid, binding.client = sid, client
        self._sessions[session_id] = binding
        self._sessions.move_to_end(session_id)
        self._forget_oldest()
        return True, evicted

    def speaks(self, sid: str, session_id: str, member: str | None) -> bool:
        """Whether `sid` owns `session_id` and, once a member spoke there, is that member."""
        binding = self._sessions.get(session_id)
        if binding is None or binding.sid != sid:
            return False
        if binding.member is not None and member != binding.member:
            return False
        binding.member = binding.member or member
        return True

    def release(self, sid: str) -> None:
        self.clients.pop(sid, None)
        for binding in self._sessions.values():
            if binding.sid == sid:
                binding.sid = None

    def _forget_oldest(self) -> None:
        for session_id in list(self._sessions):
            if len(self._sessions) <= self._max:
                return
            if self._sessions[session_id].sid is None:
                del self._sessions[session_id]


class WebSocketIOInput(SocketIOInput):
    """`socketio` channel whose session rooms work with python-socketio >= 5.10, turns guarded."""

    @classmethod
    def name(cls) -> str:
        """Same name as Rasa's channel: same URL (/webhooks/socketio) and tracker input_channel."""
        return "socketio"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Rasa's blueprint, with `session_request` replaced by a version that awaits."""
        state: dict[str, Sanic] = {}

        def agent() -> Any:
            app = state.get("app")
            return getattr(app.ctx, "agent", None) if app is not None else None

        socketio_webhook = super().blueprint(on_new_message)  # its message handler replaced below
        sio = self.sio
        assert sio is not None

        @socketio_webhook.listener("after_server_start")
        async def remember_app(app: Sanic, _: Any) -> None:
            state["app"] = app
            harden_agent(getattr(app.ctx, "agent", None))

        bindings = SessionBindings()
        self.bindings = bindings
        rasa_connect = sio.handlers[self.namespace or "/"]["connect"]
        guarded = guard_turns(answer_after_save(on_new_message), agent)

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
            request = environ.get("sanic.request")
            bindings.clients[sid] = request_client(request) if request is not None else "inconnu"
            allowed: bool = await rasa_connect(sid, environ, auth)
            return allowed

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str, reason: Any = None) -> None:
            bindings.release(sid)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: dict[str, Any] | None) -> None:
            asked = (data or {}).get("session_id") if isinstance(data, dict) else None
            session_id = asked if isinstance(asked, str) and valid_sender(asked) else ""
            session_id = session_id or uuid.uuid4().hex
            allowed, evicted = bindings.claim(sid, session_id)
            if not allowed:  # someone else's session: a new one of its own
                logger.warning("socket.io: a socket asked for a session it does not own.")
                session_id = uuid.uuid4().hex
                bindings.claim(sid, session_id)
            if evicted:
                await sio.leave_room(evicted, session_id, namespace=self.namespace)
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            if not isinstance(data, dict):
                return
            session_id = data.get("session_id") if self.session_persistence else sid
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            if not isinstance(metadata, dict):
                metadata = {}
            if not isinstance(session_id, str) or not valid_sender(session_id):
                return
            if self.session_persistence and not bindings.speaks(
                sid, session_id, member_of(metadata)
            ):
                logger.warning("socket.io: message refused, the session is not this socket's.")
                return
            text = data.get("message", "")
            message = UserMessage(
                text if isinstance(text, str) else "",
                SocketIOOutput(sio, self.bot_message_evt),
                session_id,
                input_channel=self.name(),
                metadata=stamp_client(metadata, bindings.clients.get(sid, "inconnu")),
            )
            await guarded(message)

        return socketio_webhook
