"""What a conversation is for staff, computed from Rasa's stored events (pure functions).

A conversation is everything one ``sender_id`` said and heard (all its Rasa sessions). From
its events we derive the columns of the console and the export:

- **channel**: ``input_channel`` of its first user message (``socketio`` → web, ``ivr``,
  ``rest``);
- **authenticated**: a user message carried the portal session (``metadata.portal_token``,
  sent by the widget of the Espace Personnel), or a slot of :data:`AUTH_SLOTS` was set to a
  true value (identification on the phone line); otherwise anonymous;
- **intents seen**, in order of first appearance;
- **handoff**: the assistant ran one of :data:`HANDOFF_ACTIONS` (a request for an advisor);
- **outcome** (docs/console.md):

  1. ``handed_off`` when there was a handoff;
  2. else the end of the *last* procedure (a form: ``active_loop`` event) decides:
     ``completed`` when the form ended by itself (its last slot filled) and no failure
     followed; ``abandoned`` when it was stopped (``action_deactivate_loop`` after « stop »,
     ``action_cancel_procedure``), failed (a :data:`OUTCOME_SLOTS` value such as
     ``unavailable``/``refused``, or a :data:`FAILURE_RESPONSES` answer right after it), or
     was still open at the last message (the user left);
  3. else ``none``: questions answered, no procedure started.

Every text leaves this module masked (:func:`carpimko.text.privacy.mask_personal_data`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

try:  # ujson comes with Rasa and parses Rasa's events about twice as fast
    import ujson as json
except ImportError:  # pragma: no cover
    import json  # type: ignore[no-redef]

from carpimko.text.privacy import mask_dossier, mask_email, mask_iban, mask_personal_data

CHANNELS = {"socketio": "web", "ivr": "ivr", "rest": "rest"}
"""Rasa ``input_channel`` → channel shown to staff."""
CHANNEL_LABELS = {"web": "Web", "ivr": "Téléphone (SVI)", "rest": "REST", "autre": "Autre"}
OUTCOMES = ("completed", "abandoned", "handed_off", "none")
OUTCOME_LABELS = {
    "completed": "Démarche aboutie",
    "abandoned": "Démarche abandonnée",
    "handed_off": "Transmise à un conseiller",
    "none": "Information",
}
HANDOFF_ACTIONS = frozenset({"action_human_handoff", "action_create_callback"})
STOP_ACTIONS = frozenset({"action_deactivate_loop", "action_cancel_procedure"})
AUTH_SLOTS = frozenset({"authenticated", "identity_verified", "caller_verified"})
OUTCOME_SLOTS = frozenset({"reset_outcome"})
FAILED_OUTCOME_VALUES = frozenset({"unavailable", "refused", "failed", "abandoned"})
FAILURE_RESPONSES = frozenset(
    {"utter_portal_unavailable_reset", "utter_portal_refused", "utter_reset_restart"}
)
HIDDEN_ACTIONS = frozenset({"action_listen", "action_session_start"})
_SHOWN = frozenset({"user", "bot", "action", "active_loop", "session_started"})
ENTITY_MASKS = {"iban": mask_iban, "email": mask_email, "dossier_number": mask_dossier}


def parse_events(rows: Iterable[str | dict[str, Any]]) -> list[dict[str, Any]]:
    """Rasa's ``events.data`` column (JSON text) as dictionaries; broken rows are skipped."""
    events: list[dict[str, Any]] = []
    for row in rows:
        if isinstance(row, dict):
            events.append(row)
            continue
        try:
            event = json.loads(row)
        except (TypeError, ValueError):
            continue
        if isinstance(event, dict):
            events.append(event)
    return events


def channel_of(input_channel: str | None) -> str:
    return CHANNELS.get(input_channel or "", "autre" if input_channel else "rest")


@dataclass
class Summary:
    """One line of the conversation list."""

    sender_id: str
    channel: str = "rest"
    started_at: float = 0.0
    last_activity: float = 0.0
    authenticated: bool = False
    intents: list[str] = field(default_factory=list)
    outcome: str = "none"
    handoff: bool = False
    user_messages: int = 0

    @property
    def channel_label(self) -> str:
        return CHANNEL_LABELS.get(self.channel, self.channel)

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    def as_dict(self) -> dict[str, Any]:
        return {
            "sender_id": self.sender_id,
            "channel": self.channel,
            "started_at": iso(self.started_at),
            "last_activity": iso(self.last_activity),
            "authenticated": self.authenticated,
            "intents": self.intents,
            "outcome": self.outcome,
            "handoff": self.handoff,
            "user_messages": self.user_messages,
        }


def iso(timestamp: float | None) -> str | None:
    """UTC ISO 8601 of a Rasa timestamp (seconds since the epoch), to the second."""
    if timestamp is None:
        return None
    return _iso_second(int(timestamp))


@lru_cache(maxsize=4096)
def _iso_second(second: int) -> str:
    # An action, its answer and the next listen share their second: formatted once.
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(second))


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes", "oui"}
    return bool(value)


def summarize(sender_id: str, events: list[dict[str, Any]]) -> Summary:
    """The list columns of one conversation (see the module docstring for the rules)."""
    summary = Summary(sender_id)
    stamps = [e["timestamp"] for e in events if isinstance(e.get("timestamp"), (int, float))]
    if stamps:
        summary.started_at, summary.last_activity = min(stamps), max(stamps)
    channel_seen = False
    procedure: str | None = None  # state of the last procedure: open/completed/abandoned
    last_action = ""
    ended_at_user_turn = True  # no user message since the last procedure ended
    for event in events:
        kind = event.get("event")
        if kind == "user":
            summary.user_messages += 1
            ended_at_user_turn = False
            if not channel_seen:
                summary.channel = channel_of(event.get("input_channel"))
                channel_seen = True
            metadata = event.get("metadata") or {}
            if isinstance(metadata, dict) and metadata.get("portal_token"):
                summary.authenticated = True
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent and intent not in summary.intents:
                summary.intents.append(intent)
        elif kind == "action":
            last_action = str(event.get("name") or "")
            if last_action in HANDOFF_ACTIONS:
                summary.handoff = True
            if last_action in STOP_ACTIONS and procedure == "open":
                procedure = "abandoned"
        elif kind == "active_loop":
            if event.get("name"):
                procedure, ended_at_user_turn = "open", False
            elif procedure == "open":
                stopped = last_action in STOP_ACTIONS
                procedure, ended_at_user_turn = ("abandoned" if stopped else "completed"), True
        elif kind == "slot":
            name, value = event.get("name"), event.get("value")
            if name in AUTH_SLOTS and _truthy(value):
                summary.authenticated = True
            if name in OUTCOME_SLOTS and value in FAILED_OUTCOME_VALUES and procedure:
                procedure = "abandoned"
        elif kind == "bot":
            response = (event.get("metadata") or {}).get("utter_action")
            if response in FAILURE_RESPONSES and procedure and ended_at_user_turn:
                procedure = "abandoned"
    if summary.handoff:
        summary.outcome = "handed_off"
    elif procedure in ("completed", "abandoned"):
        summary.outcome = procedure
    elif procedure == "open":  # the user left in the middle of a procedure
        summary.outcome = "abandoned"
    return summary


def mask_entity(entity: str, value: Any) -> str:
    masker = ENTITY_MASKS.get(entity)
    text = "" if value is None else str(value)
    return masker(text) if masker else mask_personal_data(text)


def turns(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conversation as staff read it: user and bot messages, actions, procedure steps.

    Every text (messages, button titles and payloads, entity values) is masked.
    """
    result: list[dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        if kind not in _SHOWN or (kind == "action" and event.get("name") in HIDDEN_ACTIONS):
            continue
        raw_stamp = event.get("timestamp")
        stamp = iso(raw_stamp) if isinstance(raw_stamp, (int, float)) else None
        if kind == "user":
            parse = event.get("parse_data") or {}
            intent = parse.get("intent") or {}
            result.append(
                {
                    "role": "user",
                    "timestamp": stamp,
                    "text": mask_personal_data(str(event.get("text") or "")),
                    "intent": intent.get("name"),
                    "confidence": round(float(intent.get("confidence") or 0.0), 3),
                    "entities": [
                        {
                            "entity": str(e.get("entity")),
                            "value": mask_entity(str(e.get("entity")), e.get("value")),
                        }
                        for e in parse.get("entities") or []
                        if isinstance(e, dict)
                    ],
                    "channel": channel_of(event.get("input_channel")),
                }
            )
        elif kind == "bot":
            data = event.get("data") or {}
            buttons = [
                {
                    "title": mask_personal_data(str(b.get("title") or ""), passwords=False),
                    "payload": mask_personal_data(str(b.get("payload") or ""), passwords=False),
                }
                for b in data.get("buttons") or []
                if isinstance(b, dict)
            ]
            result.append(
                {
                    "role": "bot",
                    "timestamp": stamp,
                    "text": mask_personal_data(str(event.get("text") or ""), passwords=False),
                    "buttons": buttons,
                    "response": (event.get("metadata") or {}).get("utter_action"),
                }
            )
        elif kind == "action":
            result.append({"role": "action", "timestamp": stamp, "name": event.get("name")})
        elif kind == "active_loop":
            result.append(
                {"role": "procedure", "timestamp": stamp, "name": event.get("name") or None}
            )
        elif kind == "session_started":
            result.append({"role": "session", "timestamp": stamp})
    return result


def export_record(sender_id: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    """One exported conversation: its summary columns and its masked turns."""
    record = summarize(sender_id, events).as_dict()
    record["turns"] = [t for t in turns(events) if t["role"] in ("user", "bot", "action")]
    return record
