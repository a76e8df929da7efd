"""The dialogue policy: Rasa's RulePolicy, plus what happens inside any form, written once.

Rasa 3.6 lets a form try every message first and leaves the unhappy paths to rules written per
form (docs: « Writing Conversation Data », unhappy form paths); with ten forms that was about 70
copied rules and 17 copied ``not_intent`` lists. Here the procedure registry
(carpimko/procedures.yml) decides, before the form reads a message:

- a digression (help, contact, « FranceConnect ? »…) is answered, nothing it said is kept as
  the form's value, and the form asks its question again;
- « laissez tomber », or « non » where the form does not ask a yes/no question: the form ends,
  its slots are forgotten, « C'est noté » (``action_cancel_procedure``);
- a procedure's ``ends_on`` intent (FranceConnect during the reset): said, then the stop;
- any other question (another procedure, another body's matter, a death announced…): the form
  ends without a word (``action_drop_procedure``) and the question is answered by the very rules
  that answer it outside a form — RulePolicy is asked about the conversation as if no form had
  been running, so no rule is copied per form;
- what the form reads as an answer (``answers``, a ``free_text`` slot, the procedure's own
  intents): the form, as RulePolicy does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import (
    ACTION_DEACTIVATE_LOOP_NAME,
    ACTION_LISTEN_NAME,
    REQUESTED_SLOT,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from carpimko.procedures import Registry, registry

CANCEL = "action_cancel_procedure"
DROP = "action_drop_procedure"
SOURCE = "procedure_registry"


@dataclass(frozen=True)
class Turn:
    """How a message said inside a form is handled: the actions to run, in order.

    ``answer_after`` true: once they ran, the message is answered as outside any form.
    """

    actions: tuple[str, ...]
    answer_after: bool = False
    restore: bool = False
    """The message filled nothing: the slots it set are put back (a digression)."""


def decide(registry: Registry, form: str | None, requested: Any, intent: str | None) -> Turn | None:
    """The handling of ``intent`` said while ``form`` asks ``requested``; None: the form reads it
    (or there is no form: RulePolicy alone)."""
    procedure = registry.by_form(form)
    if procedure is None or form is None or intent is None:
        return None
    if intent in procedure.intents:
        return None
    if intent in registry.stop_intents or (
        intent == registry.deny_intent and requested not in procedure.yes_no
    ):
        return Turn((ACTION_DEACTIVATE_LOOP_NAME, CANCEL, ACTION_LISTEN_NAME))
    if intent in registry.answers:
        return None
    if intent in procedure.ends_on:
        said = procedure.ends_on[intent]
        return Turn((ACTION_DEACTIVATE_LOOP_NAME, *said, CANCEL, ACTION_LISTEN_NAME))
    if intent in registry.digressions:
        return Turn((*registry.digressions[intent], form), restore=True)
    if requested in procedure.free_text and intent not in registry.always_new_question:
        return None
    return Turn((ACTION_DEACTIVATE_LOOP_NAME, DROP), answer_after=True)


AS_IF_NO_FORM = "as if no form"
"""next_step's answer: RulePolicy on the conversation as if no form had been running."""


def next_step(turn: Turn | None, ran: tuple[str, ...]) -> str | None:
    """What to predict once ``ran`` (the actions since the message) ran: the turn's next
    action, AS_IF_NO_FORM (its actions ran, the question is answered), or None (RulePolicy:
    no turn, the turn is over, or the conversation went another way)."""
    if turn is None:
        return None
    done = len(turn.actions)
    if ran[:done] != turn.actions[: len(ran)]:
        return None
    if len(ran) < done:
        return turn.actions[len(ran)]
    return AS_IF_NO_FORM if turn.answer_after else None


def _latest_user_index(events: list[Event]) -> int | None:
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], UserUttered):
            return index
    return None


def _state_when_said(
    tracker: DialogueStateTracker, events: list[Event], said: int, domain: Domain
) -> DialogueStateTracker:
    """The conversation as it was when the message came in (its slot extraction included)."""
    end = said + 1
    while end < len(events) and not isinstance(events[end], ActionExecuted):
        end += 1
    return DialogueStateTracker.from_events(tracker.sender_id, events[:end], domain.slots)


def as_if_no_form(
    tracker: DialogueStateTracker, events: list[Event], said: int, domain: Domain
) -> DialogueStateTracker:
    """The conversation with the form ended just before the message and without our two
    actions, so that the rules that answer the message outside a form apply unchanged."""
    ours = {ACTION_DEACTIVATE_LOOP_NAME, DROP}
    kept = [
        e for e in events[said:] if not (isinstance(e, ActionExecuted) and e.action_name in ours)
    ]
    virtual = [*events[:said], ActiveLoop(None), SlotSet(REQUESTED_SLOT, None), *kept]
    return DialogueStateTracker.from_events(tracker.sender_id, virtual, domain.slots)


def _restore_events(
    tracker: DialogueStateTracker, events: list[Event], said: int, domain: Domain
) -> list[Event]:
    """The slots the message's extraction set, back to their values before it."""
    before = DialogueStateTracker.from_events(tracker.sender_id, events[:said], domain.slots)
    restored: dict[str, Any] = {}
    for event in events[said + 1 :]:
        if isinstance(event, ActionExecuted):
            break
        if isinstance(event, SlotSet) and event.key != REQUESTED_SLOT:
            restored[event.key] = before.get_slot(event.key)
    return [SlotSet(name, value) for name, value in restored.items()]


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class ProcedurePolicy(RulePolicy):
    """RulePolicy, with the handling of a message said inside any form from the registry."""

    def _predict(
        self, tracker: DialogueStateTracker, domain: Domain
    ) -> tuple[PolicyPrediction, str | None]:
        events = list(tracker.events)
        said = _latest_user_index(events)
        if said is None:
            return super()._predict(tracker, domain)
        if not tracker.active_loop_name and ACTION_DEACTIVATE_LOOP_NAME not in (
            e.action_name for e in events[said + 1 :] if isinstance(e, ActionExecuted)
        ):  # no form now, none ended since the message: RulePolicy alone
            return super()._predict(tracker, domain)
        ran = [
            e.action_name
            for e in events[said + 1 :]
            if isinstance(e, ActionExecuted) and e.action_name
        ]
        then = tracker if not ran else _state_when_said(tracker, events, said, domain)
        intent = (then.latest_message.intent or {}).get("name") if then.latest_message else None
        turn = decide(registry(), then.active_loop_name, then.get_slot(REQUESTED_SLOT), intent)
        action = next_step(turn, tuple(ran))
        if action == AS_IF_NO_FORM:
            return super()._predict(as_if_no_form(tracker, events, said, domain), domain)
        if action is None:
            return super()._predict(tracker, domain)
        restore = turn is not None and turn.restore and not ran
        extra = _restore_events(tracker, events, said, domain) if restore else []
        return self._ours(action, tracker, domain, extra), SOURCE

    def _ours(
        self, action: str, tracker: DialogueStateTracker, domain: Domain, events: list[Event]
    ) -> PolicyPrediction:
        return PolicyPrediction(
            self._prediction_result(action, tracker, domain),
            self.__class__.__name__,
            self.priority,
            events=events,
        )
