"""`make validate` refuses a story when no policy of config.yml learns stories."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from rasa.shared.core.training_data.structures import RuleStep, StoryStep

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "validate_data.py"
spec = importlib.util.spec_from_file_location("validate_data", SCRIPT)
assert spec and spec.loader
validate_data = importlib.util.module_from_spec(spec)
spec.loader.exec_module(validate_data)


def importer(steps: list[Any], policies: list[str]) -> Any:
    return SimpleNamespace(
        get_stories=lambda: SimpleNamespace(story_steps=steps),
        get_config=lambda: {"policies": [{"name": name} for name in policies]},
    )


def test_a_story_needs_a_policy_that_learns_stories() -> None:
    rules_only = importer([RuleStep(block_name="règle")], ["RulePolicy"])
    assert validate_data.stories_without_a_policy(rules_only) == []
    story = importer([StoryStep(block_name="histoire")], ["RulePolicy"])
    assert "no policy learns stories" in validate_data.stories_without_a_policy(story)[0]
    learnt = importer([StoryStep(block_name="histoire")], ["MemoizationPolicy", "RulePolicy"])
    assert validate_data.stories_without_a_policy(learnt) == []


def test_responses_sent_by_rasa_side_code_count_as_used() -> None:
    assert "utter_password_warning" in validate_data.responses_named_in_actions()
