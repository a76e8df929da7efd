"""The widget sees a turn's answers only once the turn is stored; a failed turn shows only
the apology (the guard's), never answers whose events were lost."""

from __future__ import annotations

import contextlib
from types import SimpleNamespace
from typing import Any

import pytest
from rasa.core.channels.channel import OutputChannel, UserMessage

from carpimko.channels.guard import SERVICE_UNAVAILABLE, guard_turns
from carpimko.channels.socketio import answer_after_save


class Socket(OutputChannel):
    """What reaches the user's socket, in order."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    @classmethod
    def name(cls) -> str:
        return "socketio"

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        self.sent.append(text)


def turn(save_fails: bool, seen: list[list[str]]):  # type: ignore[no-untyped-def]
    """A stand-in for Rasa's handle_message: answers, then saves the tracker (or fails)."""

    async def handle_message(message: UserMessage) -> None:
        assert message.output_channel.name() == "socketio"  # channel variants still apply
        await message.output_channel.send_response(message.sender_id, {"text": "Bonjour !"})
        await message.output_channel.send_response(message.sender_id, {"text": "Que puis-je ?"})
        seen.append(list(socket.sent))  # what the user had seen before the save
        if save_fails:
            raise ConnectionError("tracker store down")

    socket = Socket()
    return handle_message, socket


async def test_answers_reach_the_socket_after_the_save_in_order() -> None:
    seen: list[list[str]] = []
    handle_message, socket = turn(save_fails=False, seen=seen)
    guarded = guard_turns(answer_after_save(handle_message), lambda: None)
    await guarded(UserMessage("bonjour", socket, "conv-1", input_channel="socketio"))
    assert seen == [[]]  # nothing was shown before the turn was stored
    assert socket.sent == ["Bonjour !", "Que puis-je ?"]


async def test_a_turn_that_was_not_stored_shows_only_the_apology() -> None:
    apology = "Je ne peux pas répondre pour le moment."
    agent = SimpleNamespace(
        domain=SimpleNamespace(responses={SERVICE_UNAVAILABLE: [{"text": apology}]})
    )
    handle_message, socket = turn(save_fails=True, seen=[])
    guarded = guard_turns(answer_after_save(handle_message), lambda: agent)
    await guarded(UserMessage("bonjour", socket, "conv-2", input_channel="socketio"))
    assert socket.sent == [apology]


@pytest.mark.parametrize("save_fails", [False, True])
async def test_the_message_keeps_its_own_channel(save_fails: bool) -> None:
    handle_message, socket = turn(save_fails=save_fails, seen=[])
    message = UserMessage("bonjour", socket, "conv-3", input_channel="socketio")
    with pytest.raises(ConnectionError) if save_fails else contextlib.nullcontext():
        await answer_after_save(handle_message)(message)
    assert message.output_channel is socket
