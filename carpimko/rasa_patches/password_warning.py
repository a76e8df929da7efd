"""The password warning, said by Rasa itself right after the message that held a password.

The NLU's ``PasswordRedactor`` masks the password and flags the message
(``password_redacted``); the user must then be warned, whatever the dialogue does next. Rasa
runs its default action ``action_extract_slots`` after every user message and sends the bot
messages it returns before anything else: :func:`install` makes it add
``utter_password_warning`` (the domain's text, per channel) when the message was flagged.

This was the action server's ``action_validate_slot_mappings``; Rasa then called the action
server after *every* message, sending it the whole conversation, for a flag it already had:
about one action call in two, and the largest share of the action round trips
(docs/benchmarks.md). Installed with the other patches (:mod:`carpimko.rasa_patches`) by the
entry point every Rasa process goes through (server, shell, test stories).
"""

from __future__ import annotations

from typing import Any

from rasa.core.actions.action import ActionExtractSlots, create_bot_utterance
from rasa.shared.core.events import Event

from carpimko.text.privacy import REDACTED_FLAG

RESPONSE = "utter_password_warning"
_ORIGINAL = ActionExtractSlots.__dict__["run"]


def password_was_shared(tracker: Any) -> bool:
    """Whether the latest user message held a password (masked by the NLU)."""
    message = tracker.latest_message
    return bool(message is not None and (message.parse_data or {}).get(REDACTED_FLAG))


async def run(self: ActionExtractSlots, output_channel: Any, nlg: Any, tracker: Any,
              domain: Any, *args: Any, **kwargs: Any) -> list[Event]:  # fmt: skip
    """``ActionExtractSlots.run``, preceded by the warning when a password was masked."""
    events: list[Event] = await _ORIGINAL(
        self, output_channel, nlg, tracker, domain, *args, **kwargs
    )
    if not password_was_shared(tracker) or RESPONSE not in domain.responses:
        return events
    draft = await nlg.generate(RESPONSE, tracker, output_channel.name())
    if not draft:
        return events
    draft["utter_action"] = RESPONSE
    return [create_bot_utterance(draft), *events]


def install() -> None:
    """Warn from ``action_extract_slots`` (idempotent)."""
    ActionExtractSlots.run = run
