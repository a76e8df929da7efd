"""A message delivered twice (a client or nginx retrying after an instance died) is processed
once; the retry gets the answer the first delivery stored. Real Rasa lock and tracker stores."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from carpimko.channels import idempotency
from carpimko.channels.rest import BadRequest, parse_turn


class CountingProcessor:
    """Stands for Rasa's processor: stores the user message and one answer, slowly."""

    def __init__(self, store: InMemoryTrackerStore) -> None:
        self.store = store
        self.calls = 0

    async def handle_message(self, message: UserMessage) -> Any:
        self.calls += 1
        tracker = await self.store.get_or_create_tracker(message.sender_id)
        tracker.update(UserUttered(message.text, metadata=message.metadata))
        await asyncio.sleep(0.05)  # a turn takes time: a racing retry would slip in here
        answer = BotUttered(f"Réponse n° {self.calls} à « {message.text} »", {"buttons": []})
        tracker.update(answer)
        tracker.update(ActionExecuted("action_listen"))
        await message.output_channel.send_response(message.sender_id, answer.message())
        await self.store.save(tracker)
        return message.output_channel.messages


class Agent:
    """The parts of rasa.core.agent.Agent that handle_message uses."""

    def __init__(self) -> None:
        self.lock_store = InMemoryLockStore()
        self.tracker_store = InMemoryTrackerStore(Domain.empty())
        self.processor = CountingProcessor(self.tracker_store)

    def is_ready(self) -> bool:
        return True


@pytest.fixture
def agent() -> Agent:
    agent = Agent()
    idempotency.install(agent)
    return agent


async def say(agent: Any, text: str, message_id: str | None, sender: str = "s1") -> list[Any]:
    metadata = {"message_id": message_id} if message_id else None
    output = CollectingOutputChannel()
    await agent.handle_message(UserMessage(text, output, sender, metadata=metadata))
    return output.messages


async def user_texts(agent: Agent, sender: str = "s1") -> list[str]:
    tracker = await agent.tracker_store.retrieve(sender)
    assert tracker is not None
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


async def test_a_retried_message_is_stored_once_and_answered_as_the_first_time(
    agent: Agent,
) -> None:
    first = await say(agent, "bonjour", "c1-m01")
    again = await say(agent, "bonjour", "c1-m01")
    assert agent.processor.calls == 1
    assert [m["text"] for m in again] == [m["text"] for m in first]
    assert await user_texts(agent) == ["bonjour"]


async def test_two_deliveries_racing_are_serialised_by_the_lock(agent: Agent) -> None:
    a, b = await asyncio.gather(say(agent, "merci", "c1-m01"), say(agent, "merci", "c1-m01"))
    assert agent.processor.calls == 1
    assert a == b and a
    assert await user_texts(agent) == ["merci"]


async def test_only_the_answers_of_the_retried_message_are_sent_again(agent: Agent) -> None:
    await say(agent, "bonjour", "c1-m01")
    await say(agent, "merci", "c1-m02")
    again = await say(agent, "bonjour", "c1-m01")
    assert [m["text"] for m in again] == ["Réponse n° 1 à « bonjour »"]


async def test_messages_without_an_id_or_with_new_ids_are_all_processed(agent: Agent) -> None:
    await say(agent, "bonjour", None)
    await say(agent, "bonjour", None)
    await say(agent, "bonjour", "c1-m01")
    await say(agent, "bonjour", "c1-m02")
    assert agent.processor.calls == 4


async def test_the_same_id_in_another_conversation_is_another_message(agent: Agent) -> None:
    await say(agent, "bonjour", "m01", sender="s1")
    await say(agent, "bonjour", "m01", sender="s2")
    assert agent.processor.calls == 2


def test_install_is_idempotent(agent: Agent) -> None:
    handler = agent.handle_message  # type: ignore[attr-defined]
    idempotency.install(agent)
    assert agent.handle_message is handler  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "metadata",
    [{"message_id": 12}, {"message_id": ""}, {"message_id": "a b"}, {"message_id": "x" * 65}],
)
def test_the_rest_channel_refuses_a_malformed_message_id(metadata: dict[str, Any]) -> None:
    body = {"sender": "s1", "message": "bonjour", "metadata": metadata}
    with pytest.raises(BadRequest) as refused:
        parse_turn(json.dumps(body).encode())
    assert refused.value.field == "metadata"
    assert "message_id" in refused.value.message


def test_the_rest_channel_accepts_a_well_formed_message_id() -> None:
    body = b'{"sender": "s1", "message": "bonjour", "metadata": {"message_id": "c1-m01"}}'
    assert parse_turn(body) == ("s1", "bonjour", {"message_id": "c1-m01"})
