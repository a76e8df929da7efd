"""Rasa input channel for the web widget: Rasa 3.6's socket.io channel, with its room bug fixed.

Rasa 3.6's `SocketIOInput.session_request` calls `sio.enter_room(...)` without `await`
(RasaHQ/rasa#13027). Since python-socketio 5.10 `AsyncServer.enter_room` is a coroutine, so
with `session_persistence: true` the socket never joins the room of its session id and every
bot answer (emitted to that room) is lost: the widget would never see a reply. This subclass
re-registers that one handler with the `await`; everything else is Rasa's own code.

Each turn goes through :func:`carpimko.channels.guard.guard_turns` (clean text, length bound,
an apology instead of silence when the action server fails), as on the REST channel.

credentials.yml names it `carpimko.channels.socketio.WebSocketIOInput:` (same keys as `socketio:`).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint, Sanic

from carpimko.channels.guard import guard_turns, harden_agent


class WebSocketIOInput(SocketIOInput):
    """`socketio` channel whose session rooms work with python-socketio >= 5.10, turns guarded."""

    @classmethod
    def name(cls) -> str:
        """Same name as Rasa's channel: same URL (/webhooks/socketio) and tracker input_channel."""
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's blueprint, with `session_request` replaced by a version that awaits."""
        state: dict[str, Sanic] = {}

        def agent() -> Any:
            app = state.get("app")
            return getattr(app.ctx, "agent", None) if app is not None else None

        socketio_webhook = super().blueprint(guard_turns(on_new_message, agent))
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
