"""RulePolicy finds the same applicable rules with the index of carpimko/rule_index.py as with
Rasa's check of every rule, on the rules of the trained model."""

from __future__ import annotations

import copy
import json
import random
import re
import tarfile
from pathlib import Path
from typing import Any

import pytest
from rasa.core.policies.rule_policy import RulePolicy

from carpimko.rasa_patches import rule_index

MODEL = Path(__file__).resolve().parents[2] / "models" / "carpimko.tar.gz"
LOOKUP_FILE = re.compile(r"components/train_[\w.]*Policy\d+/rule_policy\.json")  # or a subclass


@pytest.fixture(scope="module")
def lookups() -> dict[str, dict[str, Any]]:
    with tarfile.open(MODEL) as archive:
        member = next(m for m in archive.getmembers() if LOOKUP_FILE.fullmatch(m.name.lstrip("/")))
        stored = archive.extractfile(member)
        assert stored is not None
        lookup = json.load(stored)["lookup"]
    return {"rules": lookup["rules"], "loop": lookup["rules_for_loop_unhappy_path"]}


def conversations(lookup: dict[str, Any], count: int) -> list[list[dict[str, Any]]]:
    """Each rule's own states, and the same with the latest state's previous action, intent or
    user turn taken from another rule or removed, and earlier turns from other rules."""
    rng = random.Random(7)
    rules = [json.loads(key) for key in lookup]
    cases = [copy.deepcopy(states) for states in rules]
    while len(cases) < count:
        states = copy.deepcopy(rng.choice(rules))
        other = rng.choice(rules)[-1]
        latest = states[-1]
        change = rng.randrange(5)
        if change == 0 and "prev_action" in other:
            latest["prev_action"] = copy.deepcopy(other["prev_action"])
        elif change == 1 and "user" in other:
            latest["user"] = copy.deepcopy(other["user"])
        elif change == 2:
            latest.pop("user", None)
        elif change == 3:
            latest.pop("prev_action", None)
        else:
            states = copy.deepcopy(rng.choice(rules))[:-1] + states
        cases.append(states)
    return cases


@pytest.mark.parametrize("which", ["rules", "loop"])
def test_same_rules_apply_as_with_rasas_search(lookups: dict[str, Any], which: str) -> None:
    policy = object.__new__(RulePolicy)  # the search reads no trained state of its own
    lookup = lookups[which]
    applied = 0
    for states in conversations(lookup, 3000):
        expected = rule_index._ORIGINAL(policy, lookup, states)
        assert rule_index.get_possible_keys(policy, lookup, states) == expected, states
        applied += bool(expected)
    # The cases include many where rules do apply (rules: over 300 of 3 000; the loop lookup
    # holds only the form-completion rules since carpimko/dialogue.py handles digressions: ~100).
    assert applied > (300 if which == "rules" else 50)


def test_no_state_and_install(monkeypatch: pytest.MonkeyPatch, lookups: dict[str, Any]) -> None:
    policy = object.__new__(RulePolicy)
    assert rule_index.get_possible_keys(policy, lookups["rules"], []) == set(lookups["rules"])
    monkeypatch.setattr(RulePolicy, "_get_possible_keys", rule_index._ORIGINAL)
    rule_index.install()
    rule_index.install()
    assert RulePolicy._get_possible_keys is rule_index.get_possible_keys


def test_rules_of_a_conversation_start() -> None:
    """A rule whose last state has no previous action applies to a conversation's very first
    state, whatever it holds; the others never do."""
    policy = object.__new__(RulePolicy)
    start = json.dumps([{"user": {"intent": "greet"}}])
    listened = {"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}
    later = json.dumps([listened])
    lookup = {start: "utter_greet", later: "utter_greet_again"}
    for states in (
        [{"user": {"intent": "bye"}}],
        [{"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}],
        [{"prev_action": {"action_text": "bonjour"}}],
    ):
        expected = rule_index._ORIGINAL(policy, lookup, states)
        assert rule_index.get_possible_keys(policy, lookup, states) == expected
    assert rule_index.get_possible_keys(policy, lookup, [{"user": {"intent": "bye"}}]) == {start}
