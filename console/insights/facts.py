"""The figures of one conversation, from its Rasa events (pure functions).

The outcome comes from :func:`console.conversations.summarize` (the rule of the conversation
list); the dashboard groups it into four categories (docs/console.md, « Tableau de bord »):

- ``handed_off`` « Transmises à un conseiller »: a handoff or a callback ticket;
- ``abandoned`` « Abandonnées »: the last procedure was stopped, failed or left open;
- ``not_understood`` « Non comprises »: otherwise, the conversation ended on a fallback or an
  off-domain answer (last message ``nlu_fallback``/``out_of_scope``, or last answer one of
  :data:`NOT_UNDERSTOOD_RESPONSES`);
- ``resolved`` « Résolues sans conseiller »: the rest. The 24-hour rule (same member, same
  subject) needs the other conversations: :mod:`console.insights.report` applies it.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass, field
from typing import Any

from carpimko.text.privacy import mask_personal_data
from console.conversations import summarize

CATEGORIES = ("resolved", "handed_off", "abandoned", "not_understood")
CATEGORY_LABELS = {
    "resolved": "Résolues sans conseiller",
    "handed_off": "Transmises à un conseiller",
    "abandoned": "Abandonnées",
    "not_understood": "Non comprises",
}
NOT_UNDERSTOOD_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})
NOT_UNDERSTOOD_RESPONSES = frozenset(
    {"utter_default", "utter_did_you_mean", "utter_offer_advisor_after_fallback",
     "utter_out_of_scope"}
)  # fmt: skip
SMALL_TALK = frozenset({"greet", "goodbye", "thank", "affirm", "deny", "inform", "stop"})
"""Intents that are no subject: the subject of a conversation is its first other intent."""
DONE_RESPONSES = frozenset(
    {"utter_reset_email_sent", "utter_reset_letter_sent", "utter_callback_created",
     "utter_attestation_created", "utter_email_change_sent", "utter_address_changed_email",
     "utter_address_changed_letter", "utter_adult_child_sent", "utter_resume_sent",
     "utter_sick_leave_sent", "utter_document_sent", "utter_rib_code_email",
     "utter_rib_code_letter"}
)  # fmt: skip
"""Answers that say the portal did what the procedure asked (« done on the portal »)."""
DONE_SLOT = ("procedure_outcome", "done")
MEMBER_SLOT = "dossier_number"
STARTED, CONFIRMED, DONE = "started", "confirmed", "done"
STEP_LABELS = {STARTED: "Démarrée", CONFIRMED: "Formulaire complété", DONE: "Faite sur le portail"}
LAST_POSITION = 1000
"""Position of « confirmed » (and « done » right after) in a funnel: after every question."""


@dataclass
class Facts:
    """What the summary tables keep of one conversation (texts masked)."""

    sender_id: str
    channel: str
    day: str
    started_at: float
    last_activity: float
    category: str
    handoff: bool
    transfer: bool = False
    hangup_mid_procedure: bool = False
    member_key: str | None = None
    subject: str | None = None
    user_messages: int = 0
    intents: dict[str, int] = field(default_factory=dict)
    steps: dict[tuple[str, str], int] = field(default_factory=dict)
    """(form, step) → position: ``started`` 0, ``question:<slot>`` 1, 2…, then ``confirmed``,
    ``done``."""
    misunderstood: list[tuple[str, str]] = field(default_factory=list)
    """(masked text, intent) of each message the assistant did not understand."""


def utc_day(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(timestamp))


def pseudonym(value: str, key: str) -> str:
    """A keyed digest: the same member gives the same key, and the key gives back nothing."""
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]


def _intent(event: dict[str, Any]) -> str | None:
    name = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
    return str(name) if name else None


class _Funnel:
    """Steps reached by each form of the conversation (once per conversation)."""

    def __init__(self, steps: dict[tuple[str, str], int]) -> None:
        self.steps = steps
        self.form: str | None = None
        self.asked = 0
        self.last_form: str | None = None

    def start(self, form: str) -> None:
        self.form, self.last_form, self.asked = form, form, 0
        self.steps.setdefault((form, STARTED), 0)

    def ask(self, slot: str) -> None:
        if self.form and (self.form, f"question:{slot}") not in self.steps:
            self.asked += 1
            self.steps[(self.form, f"question:{slot}")] = self.asked

    def end(self, stopped: bool) -> None:
        if self.form and not stopped:
            self.steps.setdefault((self.form, CONFIRMED), LAST_POSITION)
        self.form = None

    def done(self) -> None:
        if self.last_form and (self.last_form, CONFIRMED) in self.steps:
            self.steps.setdefault((self.last_form, DONE), LAST_POSITION + 1)


def facts_of(sender_id: str, events: list[dict[str, Any]], pseudonym_key: str) -> Facts:
    """The dashboard's figures of one conversation (see the module docstring)."""
    summary = summarize(sender_id, events)
    facts = Facts(
        sender_id, summary.channel, utc_day(summary.started_at), summary.started_at,
        summary.last_activity, "resolved", summary.handoff, user_messages=summary.user_messages,
    )  # fmt: skip
    funnel = _Funnel(facts.steps)
    last_intent: str | None = None
    last_response: str | None = None
    last_action = ""
    pending_text: str | None = None  # the user's last message, until the answer tells
    member: str | None = None
    for event in events:
        kind = event.get("event")
        if kind == "user":
            text = str(event.get("text") or "")
            last_intent, last_response = _intent(event), None
            if last_intent:
                facts.intents[last_intent] = facts.intents.get(last_intent, 0) + 1
                if facts.subject is None and last_intent not in SMALL_TALK | NOT_UNDERSTOOD_INTENTS:
                    facts.subject = last_intent
            client = (event.get("metadata") or {}).get("client_id")
            if facts.channel == "ivr" and client and not member:
                member = f"appelant:{client}"
            pending_text = None if text.startswith("/") else text
            if pending_text and last_intent in NOT_UNDERSTOOD_INTENTS:
                facts.misunderstood.append((mask_personal_data(pending_text), last_intent))
                pending_text = None
        elif kind == "bot":
            data = event.get("data") or {}
            last_response = (event.get("metadata") or {}).get("utter_action")
            if last_response in NOT_UNDERSTOOD_RESPONSES and pending_text:
                facts.misunderstood.append((mask_personal_data(pending_text), last_intent or ""))
            pending_text = None
            if last_response in DONE_RESPONSES:
                funnel.done()
            custom = data.get("custom") if isinstance(data, dict) else None
            ivr = custom.get("ivr") if isinstance(custom, dict) else None
            if isinstance(ivr, dict) and ivr.get("transfer"):
                facts.transfer = True
        elif kind == "action":
            last_action = str(event.get("name") or "")
        elif kind == "active_loop":
            if event.get("name"):
                funnel.start(str(event["name"]))
            else:
                funnel.end(stopped=last_action in ("action_deactivate_loop",
                                                   "action_cancel_procedure"))  # fmt: skip
        elif kind == "slot":
            name, value = event.get("name"), event.get("value")
            if name == "requested_slot" and value:
                funnel.ask(str(value))
            elif (name, value) == DONE_SLOT:
                funnel.done()
            elif name == MEMBER_SLOT and value:
                member = f"dossier:{value}"
    if member:
        facts.member_key = pseudonym(member, pseudonym_key)
    facts.hangup_mid_procedure = facts.channel == "ivr" and funnel.form is not None
    if summary.outcome == "handed_off":
        facts.category = "handed_off"
    elif summary.outcome == "abandoned":
        facts.category = "abandoned"
    elif last_intent in NOT_UNDERSTOOD_INTENTS or last_response in NOT_UNDERSTOOD_RESPONSES:
        facts.category = "not_understood"
    return facts
