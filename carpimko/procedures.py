"""The procedure registry (carpimko/procedures.yml), read once.

One place says which procedures exist and, for each, its intents, whether it needs the
logged-in page, its form, slots and portal calls: the actions (which slots to forget, who
announces the login) and the dialogue policy (carpimko/dialogue.py: what ends a form and what
it answers first) read it, so that adding a procedure is one entry here (docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

REGISTRY_FILE = Path(__file__).with_name("procedures.yml")
PHONE_KINDS = ("form", "answer", "advisor")


@dataclass(frozen=True)
class Procedure:
    """One démarche: what starts it, what it needs and what it fills."""

    key: str
    intents: tuple[str, ...]
    login: bool
    form: str
    slots: tuple[str, ...]
    yes_no: frozenset[str]
    free_text: frozenset[str]
    submit: str | None
    portal: tuple[str, ...]
    phone: str
    identity: bool
    writes: bool
    """It sends or changes something: the NLU asks before starting it on a guess."""
    anonymous: dict[str, tuple[str, ...]]
    """Per intent, what an anonymous person is told (empty when no login is needed)."""
    ends_on: dict[str, tuple[str, ...]]
    """Intents that replace this procedure: what is said before the stop is confirmed."""


@dataclass(frozen=True)
class Registry:
    procedures: tuple[Procedure, ...]
    shared_slots: tuple[str, ...]
    digressions: dict[str, tuple[str, ...]]
    stop_intents: frozenset[str]
    deny_intent: str
    answers: frozenset[str]
    always_new_question: frozenset[str]

    def by_form(self, form: str | None) -> Procedure | None:
        return next((p for p in self.procedures if p.form == form), None)

    def of_form(self, form: str) -> Procedure:
        """The procedure run by ``form``; KeyError when no procedure declares it."""
        found = self.by_form(form)
        if found is None:
            raise KeyError(form)
        return found

    def by_intent(self, intent: str | None) -> Procedure | None:
        return next((p for p in self.procedures if intent in p.intents), None)

    def all_slots(self) -> tuple[str, ...]:
        """Every slot a procedure fills, in registry order, each once: what ending forgets."""
        names = [s for p in self.procedures for s in p.slots] + list(self.shared_slots)
        return tuple(dict.fromkeys(names))

    def logged_in_slots(self) -> tuple[str, ...]:
        names = [s for p in self.procedures if p.login for s in p.slots]
        return tuple(dict.fromkeys([*names, *self.shared_slots]))

    def writing_intents(self) -> frozenset[str]:
        """Intents that start a procedure sending or changing something."""
        return frozenset(i for p in self.procedures if p.writes for i in p.intents)

    def identity_intents(self) -> frozenset[str]:
        """Intents whose procedure the bot runs on the portal and says so once logged in."""
        return frozenset(i for p in self.procedures if p.identity for i in p.intents)


def _anonymous(entry: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    said = entry.get("anonymous") or {}
    if isinstance(said, list):  # one answer for every intent of the procedure
        return {intent: tuple(said) for intent in entry["intents"]}
    return {intent: tuple(actions) for intent, actions in said.items()}


def _procedure(key: str, entry: dict[str, Any]) -> Procedure:
    phone = str(entry["phone"])
    if phone not in PHONE_KINDS:
        raise ValueError(f"{key}: phone must be one of {PHONE_KINDS}, not {phone!r}")
    return Procedure(
        key=key,
        intents=tuple(entry["intents"]),
        login=bool(entry["login"]),
        form=str(entry["form"]),
        slots=tuple(entry["slots"]),
        yes_no=frozenset(entry["yes_no"]),
        free_text=frozenset(entry["free_text"]),
        submit=entry.get("submit"),
        portal=tuple(entry["portal"]),
        phone=phone,
        identity=bool(entry["identity"]),
        writes=bool(entry["writes"]),
        anonymous=_anonymous(entry),
        ends_on={k: tuple(v) for k, v in (entry.get("ends_on") or {}).items()},
    )


def parse(data: dict[str, Any]) -> Registry:
    return Registry(
        procedures=tuple(_procedure(k, v) for k, v in data["procedures"].items()),
        shared_slots=tuple(data["shared_slots"]),
        digressions={k: tuple(v) for k, v in data["digressions"].items()},
        stop_intents=frozenset(data["stop_intents"]),
        deny_intent=str(data["deny_intent"]),
        answers=frozenset(data["answers"]),
        always_new_question=frozenset(data["always_new_question"]),
    )


@lru_cache(maxsize=1)
def registry() -> Registry:
    """The registry file, parsed once per process."""
    return parse(yaml.safe_load(REGISTRY_FILE.read_text(encoding="utf-8")))
