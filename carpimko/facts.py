"""The fund's facts and the referrals table (carpimko/facts.yml), read once.

One place for every delay, number, path and URL the assistant states, each with its source,
so that a figure nobody published cannot slip into a response (tests/actions/test_facts.py).
Responses write a fact as its slot (``{fact_letter_delay}``); :func:`render_domain` writes
those slots into domain.yml with the fact as initial value, so Rasa fills them in every
conversation without a call to the action server.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from carpimko.text.normalize import fold

FACTS_FILE = Path(__file__).with_name("facts.yml")
SLOT_PREFIX = "fact_"
BLOCK_START = "  # --- the fund's facts, from carpimko/facts.yml by `make facts`: do not edit ---"
BLOCK_END = "  # --- end of the fund's facts ---"
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Referral:
    """Another body's matter: who handles it and where to go (a site name, no phone)."""

    key: str
    body: str
    where: str
    keywords: tuple[str, ...]
    """Folded whole words with a space around (`` impot ``), as :func:`_words` writes them."""


@lru_cache(maxsize=1)
def load() -> dict[str, Any]:
    """The whole facts file (facts, examples, referrals)."""
    data = yaml.safe_load(FACTS_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def slot_values() -> dict[str, str]:
    """``{"fact_letter_delay": "72 heures, hors week-ends et jours fériés", …}``."""
    return {SLOT_PREFIX + name: entry["text"] for name, entry in load()["facts"].items()}


def example_wordings() -> list[str]:
    """The illustrative values a response may write as such, longest first (matched whole)."""
    wordings = {said for entry in load()["examples"].values() for said in entry["says"]}
    return sorted(wordings, key=len, reverse=True)


def fill(text: str, values: dict[str, str] | None = None) -> str:
    """``text`` with its fact slots, and the ``values`` given, filled; other ``{name}`` kept.

    For the few sentences sent without Rasa's response generator (a refused turn, the phone
    channel's own prompts): Rasa fills the same slots from the domain everywhere else.
    """
    known = {**slot_values(), **(values or {})}
    return _PLACEHOLDER.sub(lambda match: known.get(match.group(1), match.group(0)), text)


def domain_block() -> str:
    """The slots section holding the facts, as written into domain.yml."""
    lines = [BLOCK_START]
    for slot, text in slot_values().items():
        lines += [
            f"  {slot}:",
            "    type: text",
            f"    initial_value: {json.dumps(text, ensure_ascii=False)}",
            "    influence_conversation: false",
            "    mappings:",
            "      - type: custom",
        ]
    return "\n".join([*lines, BLOCK_END])


def render_domain(domain_text: str) -> str:
    """``domain_text`` with its facts block replaced by :func:`domain_block`."""
    start = domain_text.index(BLOCK_START)
    end = domain_text.index(BLOCK_END, start) + len(BLOCK_END)
    return domain_text[:start] + domain_block() + domain_text[end:]


@lru_cache(maxsize=1)
def referrals() -> tuple[Referral, ...]:
    """The referrals table, keywords already in :func:`_words` form (read once: the NLU guard
    looks them up for every unsure message)."""
    return tuple(
        Referral(key, row["body"], row["where"], tuple(_words(k) for k in row["keywords"]))
        for key, row in load()["referrals"].items()
    )


def named_referrals(text: str) -> list[Referral]:
    """Every body whose keywords the message names (accents and case aside)."""
    said = _words(text)
    return [
        referral
        for referral in referrals()
        if any(keyword in said for keyword in referral.keywords)
    ]


def find_referral(text: str) -> Referral | None:
    """The body whose keywords the message names (accents and case aside), if exactly one."""
    found = named_referrals(text)
    return found[0] if len(found) == 1 else None


def _words(text: str) -> str:
    """« L'impôt sur le revenu » → `` l impot sur le revenu ``: whole words, spaces around."""
    return f" {' '.join(re.findall(r'[a-z0-9-]+', fold(text)))} "
