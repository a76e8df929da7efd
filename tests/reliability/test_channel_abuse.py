"""The chat channels against a careless or hostile client, over real HTTP and socket.io.

The channels (REST and socket.io, as credentials.yml names them) run in a Sanic server on a
free port; only Rasa's message processing is replaced by a recorder that answers each turn,
since what is tested is what the channel lets through, to whom answers go, and which client
address the actions (and so the portal's limits) will see.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import pytest_asyncio
import socketio
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from carpimko.channels import limits
from carpimko.channels.limits import Rate, TurnLimiter
from carpimko.channels.rest import GuardedRestInput
from carpimko.channels.socketio import WebSocketIOInput

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "portal"))
from portal_testkit import served

ALICE, BOB = "198.51.100.7", "203.0.113.9"


@dataclass
class Recorder:
    """Rasa's place: remembers each turn (sender, text, metadata) and answers it."""

    turns: list[UserMessage] = field(default_factory=list)

    async def __call__(self, message: UserMessage) -> None:
        self.turns.append(message)
        text = f"Réponse pour {message.sender_id} : {message.text}"
        await message.output_channel.send_response(message.sender_id, {"text": text})


@dataclass
class Chat:
    url: str
    recorder: Recorder
    channel: WebSocketIOInput


@pytest_asyncio.fixture
async def chat(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Chat]:
    # The test clients all come from 127.0.0.1: as behind a proxy, their X-Forwarded-For
    # says who they are, and 127.0.0.1 is the trusted proxy.
    monkeypatch.setenv("CARPIMKO_TRUSTED_PROXIES", "127.0.0.1")
    monkeypatch.setattr(limits, "_SHARED", [TurnLimiter(Rate(3, 60), Rate(5, 60))])
    recorder = Recorder()
    socket_channel = WebSocketIOInput(
        user_message_evt="user_uttered", bot_message_evt="bot_uttered", session_persistence=True
    )
    app = Sanic(f"channels_{uuid.uuid4().hex[:8]}")
    for channel in (GuardedRestInput(), socket_channel):  # as rasa's `register`, our handler
        app.blueprint(channel.blueprint(recorder), url_prefix=f"/webhooks/{channel.url_prefix()}")
    assert socket_channel.sio is not None
    # Long-polls end within 2 s, so that a client disconnects without waiting for one.
    socket_channel.sio.eio.ping_interval = socket_channel.sio.eio.ping_timeout = 1
    async with served(app) as http:
        yield Chat(str(http.base_url).rstrip("/"), recorder, socket_channel)


class Browser:
    """One socket.io client (the widget's protocol), from a given client address."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.sio = socketio.AsyncClient(reconnection=False)
        self.answers: asyncio.Queue[str] = asyncio.Queue()
        self.confirmed: asyncio.Queue[str] = asyncio.Queue()
        self.sio.on("bot_uttered", lambda data: self.answers.put_nowait(data.get("text", "")))
        self.sio.on("session_confirm", lambda sid: self.confirmed.put_nowait(sid))

    async def open(self, url: str, session_id: str) -> str:
        await self.sio.connect(
            url, headers={"X-Forwarded-For": self.address}, transports=["polling"]
        )
        await self.sio.emit("session_request", {"session_id": session_id})
        return await asyncio.wait_for(self.confirmed.get(), 10)

    async def say(self, session_id: str, text: str, **metadata: Any) -> None:
        await self.sio.emit(
            "user_uttered", {"message": text, "session_id": session_id, "metadata": metadata}
        )

    async def answer(self) -> str:
        return await asyncio.wait_for(self.answers.get(), 10)


async def test_a_second_socket_cannot_receive_or_post_in_another_session(chat: Chat) -> None:
    alice, bob = Browser(ALICE), Browser(BOB)
    try:
        assert await alice.open(chat.url, "session-alice") == "session-alice"
        bobs_own = await bob.open(chat.url, "session-alice")
        assert bobs_own != "session-alice"  # a fresh session of its own instead
        await bob.say("session-alice", "je parle à la place d'Alice")
        await alice.say("session-alice", "mon attestation")
        assert await alice.answer() == "Réponse pour session-alice : mon attestation"
        # Bob's own turn, answered after Alice's: had Alice's answer reached him, it would be
        # in his queue before this one (one connection keeps its order).
        await bob.say(bobs_own, "bonjour")
        assert await bob.answer() == f"Réponse pour {bobs_own} : bonjour"
        assert bob.answers.empty()
        assert [t.text for t in chat.recorder.turns] == ["mon attestation", "bonjour"]
    finally:
        await alice.sio.disconnect()
        await bob.sio.disconnect()


async def test_the_owner_reconnecting_keeps_its_session_and_a_member_keeps_theirs(
    chat: Chat,
) -> None:
    token = jwt.encode({"sub": "1234567"}, "portal-secret-" + "x" * 32, algorithm="HS256")
    first, again, stranger = Browser(ALICE), Browser(ALICE), Browser(BOB)
    try:
        await first.open(chat.url, "session-jeanne")
        await first.say("session-jeanne", "bonjour", portal_token=token)
        await first.answer()
        # The widget reconnects before the server noticed the old socket was gone.
        assert await again.open(chat.url, "session-jeanne") == "session-jeanne"
        await again.say("session-jeanne", "encore moi", portal_token=token)
        assert await again.answer() == "Réponse pour session-jeanne : encore moi"
        await again.sio.disconnect()
        await first.sio.disconnect()
        # Owner gone: the id can be claimed, but only Jeanne's portal session may speak there.
        assert await stranger.open(chat.url, "session-jeanne") == "session-jeanne"
        await stranger.say("session-jeanne", "mes paiements ?")
        await stranger.say("session-jeanne", "mes paiements ?", portal_token="pas-un-jeton")
        await stranger.say("session-jeanne", "bonjour", portal_token=token)
        assert await stranger.answer() == "Réponse pour session-jeanne : bonjour"
        assert [t.text for t in chat.recorder.turns][-1] == "bonjour"
        assert "mes paiements ?" not in [t.text for t in chat.recorder.turns]
    finally:
        for browser in (first, again, stranger):
            await browser.sio.disconnect()


async def test_socket_sessions_need_a_valid_id_and_carry_the_real_address(chat: Chat) -> None:
    browser = Browser(ALICE)
    try:
        given = await browser.open(chat.url, "bad id\u0000with NUL")
        assert given != "bad id\u0000with NUL" and given.isalnum()
        await browser.say(given, "bonjour", client_ip="10.9.9.9", client_id="moi")
        await browser.answer()
        [turn] = chat.recorder.turns
        assert turn.metadata["client_ip"] == ALICE and "client_id" not in turn.metadata
    finally:
        await browser.sio.disconnect()


async def test_rest_turns_are_limited_per_sender_and_per_real_client(chat: Chat) -> None:
    async with httpx.AsyncClient(base_url=chat.url, timeout=10) as http:

        async def say(sender: str, address: str, forged: str) -> httpx.Response:
            return await http.post(
                "/webhooks/rest/webhook",
                headers={"X-Forwarded-For": address},
                json={"sender": sender, "message": "bonjour", "metadata": {"client_ip": forged}},
            )

        # Per client: rotating sender ids and forged client_ip change nothing.
        codes = [(await say(f"s{n}", ALICE, f"10.0.0.{n}")).status_code for n in range(7)]
        assert codes == [200] * 5 + [429] * 2
        refused = await say("s99", ALICE, "10.0.0.99")
        assert 0 < int(refused.headers["retry-after"]) <= 60
        assert {t.metadata["client_ip"] for t in chat.recorder.turns} == {ALICE}
        # Per sender: one conversation from many addresses.
        codes = [(await say("same", f"192.0.2.{n}", "x")).status_code for n in range(4)]
        assert codes == [200, 200, 200, 429]
        # Another client is not affected by Alice's excess.
        assert (await say("s-bob", BOB, "x")).status_code == 200


async def test_a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(
    chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARPIMKO_TRUSTED_PROXIES", "")
    async with httpx.AsyncClient(base_url=chat.url, timeout=10) as http:
        response = await http.post(
            "/webhooks/rest/webhook",
            headers={"X-Forwarded-For": "203.0.113.250"},
            json={"sender": "direct", "message": "bonjour"},
        )
    assert response.status_code == 200
    assert chat.recorder.turns[-1].metadata["client_ip"] == "127.0.0.1"
