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

credentials.yml names it `carpimko.channels.socketio.WebSocketIOInput:` (same keys as `socketio:`).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint, Sanic

from carpimko.channels.guard import guard_turns, harden_agent

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

        socketio_webhook = super().blueprint(guard_turns(answer_after_save(on_new_message), agent))
        sio = self.sio
        assert sio is not None

        @socketio_webhook.listener("after_server_start")
        async def remember_app(app: Sanic, _: Any) -> None:
            state["app"] = app
            harden_agent(getattr(app.ctx, "agent", None))

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: dict[str, Any] | None) -> None:
            data = data or {}
            if not data.get("session_id"):
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, data["session_id"], namespace=self.namespace)
            await sio.emit("session_confirm", data["session_id"], room=sid)

        return socketio_webhook
