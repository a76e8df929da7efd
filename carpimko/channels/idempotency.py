"""A user message that a client sends twice is processed once: retries are safe.

With several Rasa instances behind nginx, a message can reach an instance that dies before it
answers; the client (or nginx, ``proxy_next_upstream``) then sends it again to the survivor.
Without care the conversation would hold it twice, or the user would be asked the same thing
twice. A client that puts an id in the message metadata (``{"message_id": "…"}``: the web
widget and the load tests do) gets this guarantee instead:

- the first delivery is processed as usual; its ``UserUttered`` event keeps the id in its
  metadata (the SQL tracker store writes it with the turn, in one transaction);
- a later delivery with the same id, for the same conversation, is not processed: the bot
  messages stored after the first one are sent again, as the first answer was.

The check runs inside the conversation's lock (Rasa's ``RedisLockStore`` in production), so
two deliveries racing on two instances are serialised and the second sees the first's events.
:func:`install` replaces ``agent.handle_message`` by :func:`handle_message_once` (the same
three steps as Rasa 3.6's ``Agent.handle_message``: lock, then the processor), once the server
has started (:func:`carpimko.channels.guard.harden_agent`). Messages without an id behave as
before. Limits: side effects of actions (portal calls) of a turn whose instance died *before*
the tracker was saved run again on the retry; and only the current session is searched (a retry
comes seconds later, a session lasts an hour).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, Event, UserUttered

logger = logging.getLogger(__name__)

MESSAGE_ID_KEY = "message_id"
MESSAGE_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


def message_id(metadata: Any) -> str | None:
    """The client's id of a message, or None when absent or malformed (then: no dedupe)."""
    if not isinstance(metadata, dict):
        return None
    value = metadata.get(MESSAGE_ID_KEY)
    if isinstance(value, str) and MESSAGE_ID_RE.match(value):
        return value
    return None


def stored_answers(events: Iterable[Event], wanted: str) -> list[dict[str, Any]] | None:
    """Bot messages stored after the user message carrying ``wanted``; None if it is not stored.

    The answer ends at the next user message: what came later belongs to other turns."""
    answers: list[dict[str, Any]] | None = None
    for event in events:
        if isinstance(event, UserUttered):
            if answers is not None:
                break
            if message_id(event.metadata) == wanted:
                answers = []
        elif isinstance(event, BotUttered) and answers is not None:
            answers.append(event.message())
    return answers


async def handle_message_once(agent: Any, message: UserMessage) -> Any:
    """``Agent.handle_message`` that answers a repeated message id from the tracker."""
    if not agent.is_ready():
        logger.info("Ignoring message as there is no agent to handle it.")
        return None
    async with agent.lock_store.lock(message.sender_id):
        wanted = message_id(message.metadata)
        if wanted is not None:
            tracker = await agent.tracker_store.retrieve(message.sender_id)
            answers = stored_answers(tracker.events, wanted) if tracker is not None else None
            if answers is not None:
                logger.info("Message already processed (retry): its stored answers sent again.")
                output = message.output_channel
                for answer in answers:
                    await output.send_response(message.sender_id, answer)
                if isinstance(output, CollectingOutputChannel):
                    return output.messages
                return None
        return await agent.processor.handle_message(message)


def install(agent: Any) -> None:
    """Route the agent's messages through :func:`handle_message_once` (idempotent call)."""
    if agent is None or getattr(agent, "_carpimko_once", False):
        return

    async def handle_message(message: UserMessage) -> Any:
        return await handle_message_once(agent, message)

    agent.handle_message = handle_message
    agent._carpimko_once = True
