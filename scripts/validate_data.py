"""`rasa data validate`, failing on every warning that means broken data.

Rasa's own ``--fail-on-warnings`` also fails on two warnings that are not defects here:
a response used only by a custom action (``dispatcher.utter_message(response=...)``) is
"not used in any story", and a contract intent whose dialogue is not written yet is
"not used in any story or rule". This script runs the same checks as the CLI, tolerates
exactly those two cases (a response counts as used only if an action names it), and fails
on anything else: unknown intents or actions, duplicated examples across intents,
story conflicts, invalid slots or forms.
"""

from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNUSED_UTTERANCE = re.compile(r"The utterance '(?P<name>[^']+)' is not used in any story or rule")
UNUSED_INTENT = re.compile(r"The intent '(?P<name>[^']+)' is not used in any story or rule")


def responses_named_in_actions() -> set[str]:
    """Response names that custom actions (or the Rasa-side code: the channels' guard, the
    password warning) send by name."""
    pattern = re.compile(r"""["'](utter_[a-z0-9_]+)["']""")
    names: set[str] = set()
    for folder in ("actions", "carpimko"):
        for path in (ROOT / folder).rglob("*.py"):
            names.update(pattern.findall(path.read_text(encoding="utf-8")))
    return names


STORY_POLICIES = {"MemoizationPolicy", "AugmentedMemoizationPolicy", "TEDPolicy"}


def stories_without_a_policy(importer: object) -> list[str]:
    """config.yml has RulePolicy only (the dialogue is rules): a story would be ignored."""
    from rasa.shared.core.training_data.structures import RuleStep

    steps = importer.get_stories().story_steps  # type: ignore[attr-defined]
    stories = [step for step in steps if not isinstance(step, RuleStep)]
    policies = {p.get("name") for p in importer.get_config().get("policies") or []}  # type: ignore[attr-defined]
    if stories and not policies & STORY_POLICIES:
        return [
            f"{len(stories)} story step(s) in data/ but no policy learns stories "
            "(add MemoizationPolicy or TEDPolicy to config.yml)"
        ]
    return []


def main() -> int:
    """Run the validations; print each problem; exit 1 when data is broken."""
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.validator import Validator

    importer = TrainingDataImporter.load_from_config(
        config_path=str(ROOT / "config.yml"),
        domain_path=str(ROOT / "domain.yml"),
        training_data_paths=[str(ROOT / "data")],
    )
    validator = Validator.from_importer(importer)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        structural_ok = all(
            [
                validator.verify_domain_validity(),
                validator.verify_actions_in_stories_rules(),
                validator.verify_forms_in_stories_rules(),
                validator.verify_form_slots(),
                validator.verify_slot_mappings(),
                validator.verify_story_structure(ignore_warnings=False),
            ]
        )
        validator.verify_nlu(ignore_warnings=True)
        validator.verify_example_repetition_in_intents(ignore_warnings=True)

    sent_by_actions = responses_named_in_actions()
    # « utter_label_ » + an intent (actions/fallback.py): every response of that family is sent.
    prefixes = tuple(name for name in sent_by_actions if name.endswith("_"))
    problems: list[str] = stories_without_a_policy(importer)
    pending_intents: list[str] = []
    for warning in caught:
        message = str(warning.message)
        if match := UNUSED_UTTERANCE.search(message):
            if match["name"] in sent_by_actions or match["name"].startswith(prefixes):
                continue
        elif match := UNUSED_INTENT.search(message):
            pending_intents.append(match["name"])
            continue
        if issubclass(warning.category, (DeprecationWarning, FutureWarning)):
            continue
        problems.append(message.splitlines()[0])

    if pending_intents:
        print(f"Intentions sans dialogue pour l'instant : {', '.join(sorted(pending_intents))}")
    for problem in problems:
        print(f"ERREUR : {problem}", file=sys.stderr)
    if problems or not structural_ok:
        print("Données d'entraînement invalides.", file=sys.stderr)
        return 1
    print("Données d'entraînement valides.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
