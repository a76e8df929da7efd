"""The fund's facts and the referrals table (carpimko/facts.yml), read once.

One place for every delay, number, path and URL the assistant states, each with its source,
so that a figure nobody published cannot slip into a response (tests/actions/test_facts.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from carpimko.text.normalize import fold

FACTS_FILE = Path(__file__).with_name("facts.yml")


@dataclass(frozen=True)
class Referral:
    """Another body's matter: who handles it and where to go (a site name, no phone)."""

    key: str
    body: str
    where: str
    keywords: tuple[str, ...]


@lru_cache(maxsize=1)
def load() -> dict[str, Any]:
    """The whole facts file (facts, examples, referrals)."""
    data = yaml.safe_load(FACTS_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def sourced_wordings() -> list[str]:
    """Every wording a response may use, longest first (so a long one is matched whole)."""
    data = load()
    wordings = [
        said
        for section in ("facts", "examples")
        for entry in data[section].values()
        for said in entry["says"]
    ]
    return sorted(set(wordings), key=len, reverse=True)


@lru_cache(maxsize=1)
def referrals() -> tuple[Referral, ...]:
    return tuple(
        Referral(key, row["body"], row["where"], tuple(row["keywords"]))
        for key, row in load()["referrals"].items()
    )


def named_referrals(text: str) -> list[Referral]:
    """Every body whose keywords the message names (accents and case aside)."""
    said = _words(text)
    return [
        referral
        for referral in referrals()
        if any(_words(keyword) in said for keyword in referral.keywords)
    ]


def find_referral(text: str) -> Referral | None:
    """The body whose keywords the message names (accents and case aside), if exactly one."""
    found = named_referrals(text)
    return found[0] if len(found) == 1 else None


def _words(text: str) -> str:
    """« L'impôt sur le revenu » → `` l impot sur le revenu ``: whole words, spaces around."""
    return f" {' '.join(re.findall(r'[a-z0-9-]+', fold(text)))} "
