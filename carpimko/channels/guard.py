"""What every input channel does around a user turn: clean the text, and never stay silent.

Rasa 3.6 swallows a failed custom action (action server down, hung, or answering 5xx): the
processor logs "Encountered an exception while running action" and moves on, so the user gets
no answer at all. Two pieces fix that without patching Rasa:

- :class:`ObservedActionEndpoint` replaces the agent's action endpoint once the server has
  started (:func:`harden_agent`, which also makes the tracker store fail loudly). It bounds
  each call (``ACTION_SERVER_TIMEOUT`` seconds instead of Rasa's 5 minutes) and records a
  failure in the current turn (a ``ContextVar``: one turn = one asyncio task).
- :func:`guard_turns` wraps the channel's ``on_new_message``. After the turn, if an action
  call failed or the bot sent nothing at all, it runs ``utter_service_unavailable`` (a domain
  response: « je ne peux pas terminer cette démarche pour le moment », phone and hours).

Before anything else a turn must come from a valid sender id (:data:`SENDER_RE`, on every
channel) and within the channels' rate limits (:mod:`carpimko.channels.limits`: per sender id
and per client address, the address the channel stamped in the metadata): past them the user
gets ``utter_too_many_messages`` (when to try again, the phone hours), nothing is processed or
stored, and :class:`Throttled` tells a channel that wants it (REST answers 429).

:func:`clean_text` removes what must never reach the NLU or the tracker store: control
characters, lone surrogates (they make the SQL insert fail), and text past
``CARPIMKO_MAX_MESSAGE_CHARS`` (too long → ``utter_message_too_long``, nothing processed; empty
or not text → ``utter_default``).

| variable | default | meaning |
| --- | --- | --- |
| ``ACTION_SERVER_TIMEOUT`` | ``10`` | seconds Rasa waits for one action call |
| ``CARPIMKO_MAX_MESSAGE_CHARS`` | ``2000`` | longest user message processed |
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from carpimko import facts, rasa_patches
from carpimko.channels import idempotency
from carpimko.channels.client import CLIENT_KEY
from carpimko.channels.limits import shared_limiter
from carpimko.ops import metrics, tracing

logger = logging.getLogger(__name__)

SERVICE_UNAVAILABLE = "utter_service_unavailable"
MESSAGE_TOO_LONG = "utter_message_too_long"
NOTHING_UNDERSTOOD = "utter_default"
TOO_MANY_MESSAGES = "utter_too_many_messages"
_KEEP = {"\n", "\t"}


SENDER_RE = re.compile(r"^[A-Za-z0-9_.:@+-]{1,128}$")
"""Conversation ids every channel accepts (REST sender, phone call id): stored as the tracker's
key, so no control character (PostgreSQL refuses NUL) and a bounded length."""


def valid_sender(sender: object) -> bool:
    return isinstance(sender, str) and bool(SENDER_RE.match(sender))


def max_message_chars() -> int:
    return int(os.environ.get("CARPIMKO_MAX_MESSAGE_CHARS", "2000"))


def action_timeout() -> float:
    return float(os.environ.get("ACTION_SERVER_TIMEOUT", "10"))


def clean_text(text: str) -> str:
    """NFC text without control/format characters (but newlines and tabs) or lone surrogates."""
    text = text.encode("utf-8", "replace").decode("utf-8") if _has_surrogates(text) else text
    text = unicodedata.normalize("NFC", text)
    kept = (ch for ch in text if ch in _KEEP or unicodedata.category(ch) not in ("Cc", "Cs", "Co"))
    return "".join(kept).strip()


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


@dataclass
class TurnReport:
    """What happened during one user turn."""

    action_failures: list[str] = field(default_factory=list)
    answered: dict[str, bool] = field(default_factory=dict)
    """sender id → whether the tracker last saved in this turn ends with a bot message."""


_TURN: ContextVar[TurnReport | None] = ContextVar("carpimko_turn", default=None)


class ObservedActionEndpoint(EndpointConfig):
    """The action endpoint, with a bounded wait and failures reported to the current turn."""

    @classmethod
    def wrap(cls, endpoint: EndpointConfig) -> ObservedActionEndpoint:
        return cls(
            endpoint.url,
            endpoint.params,
            endpoint.headers,
            endpoint.basic_auth,
            endpoint.token,
            endpoint.token_name,
            **endpoint.kwargs,
        )

    async def request(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["timeout"] = min(float(kwargs.get("timeout") or 300), action_timeout())
        kwargs["headers"] = {**tracing.headers(), **(kwargs.get("headers") or {})}
        try:
            return await super().request(*args, **kwargs)
        except ClientResponseError as error:
            if error.status != 400:  # 400 = a form rejecting a slot: normal dialogue
                _report_failure(f"HTTP {error.status}")
            raise
        except Exception as error:
            _report_failure(type(error).__name__)
            raise


def _report_failure(reason: str) -> None:
    report = _TURN.get()
    metrics.ACTION_CALL_FAILURES.labels(reason).inc()
    logger.error("Action server call failed (%s): the user will be told.", reason)
    if report is not None:
        report.action_failures.append(reason)


def harden_agent(agent: Any) -> None:
    """Once the server has started: the observed action endpoint, a strict tracker store,
    retried messages processed once (:mod:`carpimko.channels.idempotency`), and the patches
    that work on the served agent (:func:`carpimko.rasa_patches.install_on_agent`).

    Rasa wraps the tracker store in ``FailSafeTrackerStore``: when the database fails it starts
    the conversation afresh from memory and answers, and the events of that answer are never
    stored. Strict, a database failure fails the turn instead (REST: 503; socket.io: an
    apology that is not stored), so that every answer the user had is in the store.
    """
    if agent is None:
        return
    rasa_patches.install_on_agent(agent)
    idempotency.install(agent)
    endpoint = getattr(agent, "action_endpoint", None)
    if endpoint is not None and not isinstance(endpoint, ObservedActionEndpoint):
        observed = ObservedActionEndpoint.wrap(endpoint)
        agent.action_endpoint = observed
        if getattr(agent, "processor", None) is not None:
            agent.processor.action_endpoint = observed
    store = getattr(agent, "tracker_store", None)
    if isinstance(store, FailSafeTrackerStore):
        store._on_tracker_store_error = _raise
    if store is not None and not getattr(store, "_carpimko_observed", False):
        _observe_saves(store)


def _observe_saves(store: Any) -> None:
    """Note in the current turn whether the saved tracker ends with a bot message, so that
    :func:`guard_turns` need not read the whole conversation back from the database."""
    save = store.save

    async def save_and_note(tracker: Any) -> None:
        await save(tracker)
        report = _TURN.get()
        if report is not None:
            report.answered[tracker.sender_id] = _ends_with_bot_message(tracker.events)

    store.save = save_and_note
    store._carpimko_observed = True


def _raise(error: Exception) -> None:
    raise error


OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
AgentGetter = Callable[[], Any]


class TurnFailed(Exception):
    """The turn could not be processed (nothing stored); the user was told."""


class Throttled(Exception):
    """The sender or the client is over its rate limit; the user was told when to come back."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


async def _refuse_excess(agent: Any, message: UserMessage, reraise: bool) -> bool:
    """True (after telling the user) when the sender id is invalid or over its limits."""
    if not valid_sender(message.sender_id):
        logger.warning("Turn refused: invalid sender id.")
        return True
    client = (message.metadata or {}).get(CLIENT_KEY)
    wait = shared_limiter().hit(message.sender_id, client if isinstance(client, str) else None)
    if not wait:
        return False
    minutes = str(max(1, -(-wait // 60)))
    await _send_response_text(
        agent, message.output_channel, message.sender_id, TOO_MANY_MESSAGES, minutes=minutes
    )
    if reraise:
        raise Throttled(wait)
    return True


def guard_turns(
    on_new_message: OnNewMessage, get_agent: AgentGetter, reraise: bool = False
) -> OnNewMessage:
    """``on_new_message`` that cleans the text and never leaves the user without an answer.

    With ``reraise`` a failed turn raises :class:`TurnFailed` after the apology (REST answers
    503: an integration must know that nothing was stored), and a throttled one
    :class:`Throttled` (REST answers 429)."""

    async def guarded(message: UserMessage) -> Any:
        agent = get_agent()
        output = message.output_channel
        if await _refuse_excess(agent, message, reraise):
            return None
        message.text = clean_text(message.text) if isinstance(message.text, str) else ""
        if len(message.text) > max_message_chars():
            await _utter(agent, message, MESSAGE_TOO_LONG, output)
            return None
        if not message.text:
            await _utter(agent, message, NOTHING_UNDERSTOOD, output)
            return None
        report = TurnReport()
        token = _TURN.set(report)
        try:
            result = await on_new_message(message)
        except Exception as error:
            # Tracker store down (or a bug): nothing was stored; say so. Only the type is
            # logged: database errors quote the SQL parameters, i.e. what the user wrote.
            logger.error("Turn failed (%s): nothing stored, apology sent.", type(error).__name__)
            await _send_response_text(agent, output, message.sender_id, SERVICE_UNAVAILABLE)
            if reraise:
                raise TurnFailed from None
            return None
        finally:
            _TURN.reset(token)
        if agent is None:
            return result
        answered = report.answered.get(message.sender_id)
        if answered is None:  # nothing saved in this turn (or a store not observed): read it
            answered = await _bot_answered(agent, message.sender_id)
        if report.action_failures or not answered:
            logger.warning(
                "Turn ended with %d action failure(s) or no answer: apologising.",
                len(report.action_failures),
            )
            await _utter(agent, message, SERVICE_UNAVAILABLE, output)
        return result

    return guarded


async def _bot_answered(agent: Any, sender_id: str) -> bool:
    """Whether the tracker holds a bot message after the user's last message.

    Read from the tracker rather than by wrapping the output channel: channels (and tests)
    may rely on the exact output channel class."""
    try:
        tracker = await agent.tracker_store.retrieve(sender_id)
    except Exception:  # the store failing here is not the user's problem: assume answered
        return True
    return _ends_with_bot_message(tracker.events if tracker is not None else [])


def _ends_with_bot_message(events: Any) -> bool:
    """Whether a bot message follows the user's last message."""
    for event in reversed(list(events)):
        if isinstance(event, BotUttered):
            return True
        if isinstance(event, UserUttered):
            return False
    return False


async def _utter(agent: Any, message: UserMessage, response: str, output: OutputChannel) -> None:
    """Run a domain response as an action: sent to the user and recorded in the tracker."""
    if agent is None:
        return
    await agent.execute_action(message.sender_id, response, output, None, None)


async def _send_response_text(
    agent: Any, output: OutputChannel, recipient: str, response: str, **values: str
) -> None:
    """Send a domain response without the tracker store (it may be what failed, or the turn
    must leave no trace); ``{name}`` in its text is replaced by ``values[name]`` or the fact."""
    variants = getattr(getattr(agent, "domain", None), "responses", {}).get(response) or []
    if not variants:
        return
    variant = variants[0]
    payload = {k: variant[k] for k in ("text", "buttons") if variant.get(k)}
    if "text" in payload:
        payload["text"] = facts.fill(str(payload["text"]), values)
    try:
        await output.send_response(recipient, payload)
    except Exception:  # the channel itself is gone: nothing more to do
        logger.warning("Could not send the apology for a failed turn.")
