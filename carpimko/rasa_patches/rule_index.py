"""RulePolicy's search for the rules that apply, started from the few that can.

At each prediction Rasa 3.6 (``RulePolicy._get_possible_keys``) checks every learned rule
(353 here, 56 more for forms) against the conversation's latest state, then the survivors
against the earlier states: about 320 checks per call, the largest part of RulePolicy's cost
(docs/benchmarks.md). Most rules can't apply for a plain reason: their last state names the
previous action (and often the user's intent), and the conversation's latest state names
another. :func:`install` groups the rules by those two names once, checks against the latest
state only the groups that can match (plus every rule whose last state names no previous
action: a conversation start), then runs Rasa's own check on those and on the earlier states.
Every rule left out would have failed Rasa's first check, so the result is the same set.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rasa.core.policies.rule_policy import SHOULD_NOT_BE_SET, RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION, USER
from rasa.shared.nlu.constants import ACTION_NAME, INTENT

_ORIGINAL = RulePolicy._get_possible_keys

State = dict[str, Any]


@dataclass(frozen=True)
class _Index:
    source: dict[str, Any]
    size: int
    starters: frozenset[str]
    """Rules whose last state has no previous action (they apply at a conversation start)."""
    groups: dict[tuple[str | None, str | None], frozenset[str]]
    """The other rules by (previous action, intent) their last state requires (None: any)."""


_INDEXES: dict[int, _Index] = {}


def _required(sub_state: Any, key: str) -> str | None:
    value = sub_state.get(key) if isinstance(sub_state, dict) else None
    return value if isinstance(value, str) and value and value != SHOULD_NOT_BE_SET else None


def _index(lookup: dict[str, Any]) -> _Index:
    known = _INDEXES.get(id(lookup))
    if known is not None and known.source is lookup and known.size == len(lookup):
        return known
    starters: set[str] = set()
    groups: dict[tuple[str | None, str | None], set[str]] = {}
    for key in lookup:
        last: State = json.loads(key)[-1]
        if not last.get(PREVIOUS_ACTION):
            starters.add(key)
            continue
        action = _required(last.get(PREVIOUS_ACTION), ACTION_NAME)
        groups.setdefault((action, _required(last.get(USER), INTENT)), set()).add(key)
    index = _Index(
        lookup, len(lookup), frozenset(starters), {k: frozenset(v) for k, v in groups.items()}
    )
    _INDEXES[id(lookup)] = index
    return index


def get_possible_keys(self: RulePolicy, lookup: dict[str, Any], states: list[State]) -> set[str]:
    """``RulePolicy._get_possible_keys``, checking only the rules that can match."""
    if not states:
        return _ORIGINAL(self, lookup, states)
    index = _index(lookup)
    latest = states[-1]
    action = _required(latest.get(PREVIOUS_ACTION), ACTION_NAME)
    intent = _required(latest.get(USER), INTENT)
    candidates = set(index.starters)
    for name in {(action, intent), (action, None), (None, intent), (None, None)}:
        candidates |= index.groups.get(name, frozenset())
    possible = {key for key in candidates if self._is_rule_applicable(key, 0, latest)}
    for turn, state in enumerate(reversed(states[:-1]), start=1):
        possible = {key for key in possible if self._is_rule_applicable(key, turn, state)}
    return possible


def install() -> None:
    """Use :func:`get_possible_keys` in every RulePolicy (idempotent)."""
    RulePolicy._get_possible_keys = get_possible_keys
