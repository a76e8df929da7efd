"""The procedure registry (carpimko/procedures.yml) says what the domain, the rules and the
portal client do: a name it gives that does not exist would end a form the wrong way or forget
the wrong slots, silently."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.identity import DONE_WITH_THE_BOT
from actions.procedure import PROCEDURE_SLOTS
from carpimko.procedures import parse, registry
from portal.contract import routes

ROOT = Path(__file__).parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
REGISTRY = registry()
ACTIONS = set(DOMAIN["actions"]) | set(DOMAIN["responses"]) | {"action_deactivate_loop"}


def rules() -> list[list[dict[str, Any]]]:
    found = []
    for path in sorted((ROOT / "data" / "rules").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found += [rule["steps"] for rule in data.get("rules") or []]
    return found


def test_every_form_of_the_domain_is_one_procedure_of_the_registry() -> None:
    forms = [p.form for p in REGISTRY.procedures]
    assert sorted(forms) == sorted(DOMAIN["forms"]), "a form with no procedure, or the reverse"


@pytest.mark.parametrize("procedure", REGISTRY.procedures, ids=lambda p: p.key)
def test_names_of_a_procedure_exist_in_the_domain(procedure: Any) -> None:
    assert set(procedure.intents) <= set(DOMAIN["intents"])
    assert set(procedure.slots) <= set(DOMAIN["slots"])
    required = DOMAIN["forms"][procedure.form]["required_slots"]
    assert set(required) <= set(procedure.slots), "a slot the form asks is not forgotten"
    assert procedure.yes_no | procedure.free_text <= set(required)
    assert procedure.submit is None or procedure.submit in ACTIONS
    for answer in procedure.anonymous.values():
        assert set(answer) <= ACTIONS


def test_slots_filled_inside_a_form_belong_to_its_procedure() -> None:
    for name, slot in DOMAIN["slots"].items():
        for mapping in slot.get("mappings") or []:
            for condition in mapping.get("conditions") or []:
                procedure = REGISTRY.of_form(condition["active_loop"])
                assert name in procedure.slots, f"{name} is filled by {procedure.form}"


@pytest.mark.parametrize(
    "procedure", [p for p in REGISTRY.procedures if p.login], ids=lambda p: p.key
)
def test_logged_in_procedures_have_their_two_rules(procedure: Any) -> None:
    """Logged in: the form; anonymous: what the registry says, after action_identify_user."""
    steps = rules()
    for intent in procedure.intents:
        head = [{"intent": intent}, {"action": "action_identify_user"}]
        logged_in = [*head, {"slot_was_set": [{"authenticated": True}]},
                     {"action": procedure.form}, {"active_loop": procedure.form}]  # fmt: skip
        anonymous = [*head, {"slot_was_set": [{"authenticated": False}]}]
        anonymous += [{"action": name} for name in procedure.anonymous[intent]]
        assert logged_in in steps, f"no logged-in rule for {intent}"
        assert anonymous in steps, f"no anonymous rule for {intent}"


def test_portal_calls_are_routes_the_assistant_calls() -> None:
    """Each portal call the registry names is a row of the contract (portal/contract/routes.py)
    that the action server really calls (``routes.NAME`` in actions/)."""
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "actions").rglob("*.py"))
    used = [getattr(routes, name) for name in set(re.findall(r"routes\.([A-Z_]+)", sources))]
    known = {(route.method, re.sub(r"\{\w+\}", "<id>", route.path)) for route in used}
    assert len(known) >= 10  # the reader found the client's calls
    for procedure in REGISTRY.procedures:
        for call in procedure.portal:
            verb, path = call.split(" ", 1)
            assert (verb, path) in known, f"{procedure.key}: {call} is not a client call"


def test_digression_answers_exist_and_the_answers_are_intents() -> None:
    intents = set(DOMAIN["intents"])
    assert set(REGISTRY.digressions) <= intents
    assert REGISTRY.answers <= intents | {"nlu_fallback"}
    assert REGISTRY.stop_intents | {REGISTRY.deny_intent} <= intents
    for answer in REGISTRY.digressions.values():
        assert set(answer) <= ACTIONS


def test_ending_a_procedure_forgets_every_slot_it_filled() -> None:
    for procedure in REGISTRY.procedures:
        assert set(procedure.slots) <= set(PROCEDURE_SLOTS)
    assert {"procedure_outcome", "form_failures"} <= set(PROCEDURE_SLOTS)


def test_the_login_is_announced_for_the_procedures_the_registry_marks() -> None:
    assert "change_rib" in DONE_WITH_THE_BOT
    assert "sick_leave_extension" not in DONE_WITH_THE_BOT  # identity: false


def test_a_phone_kind_outside_the_known_ones_is_refused() -> None:
    data = yaml.safe_load((ROOT / "carpimko" / "procedures.yml").read_text(encoding="utf-8"))
    data["procedures"]["rib"]["phone"] = "fax"
    with pytest.raises(ValueError, match="phone"):
        parse(data)
