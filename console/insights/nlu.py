"""Chosen not-understood messages as a Rasa NLU YAML fragment, ready for ``data/nlu/``.

Messages are stored masked; a fragment for the training data must hold no personal data at
all, so a message still carrying a digit, a masked part (``*``), an ``@`` or a capitalised
word after the first (a name, most often) is left out and counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

INTENT_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_UNSAFE = re.compile(r"[0-9*@\[\]]")


@dataclass(frozen=True)
class Fragment:
    yaml: str
    kept: int
    left_out: int


class _Literal(str):
    """Written as a YAML block (``|``), the way Rasa's training data lists examples."""


class _Dumper(yaml.SafeDumper):
    pass


def _literal(dumper: yaml.SafeDumper, value: _Literal) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")


_Dumper.add_representer(_Literal, _literal)


def safe_example(text: str) -> bool:
    """No number, no masked part, no e-mail, no proper noun after the first word."""
    words = text.split()
    return bool(words) and not _UNSAFE.search(text) and not any(w[:1].isupper() for w in words[1:])


def fragment(intent: str, texts: list[str]) -> Fragment:
    """``version: "3.1"`` / ``nlu:`` / ``- intent: …`` / ``examples: |`` with one line each."""
    kept = sorted({" ".join(t.split()) for t in texts if safe_example(t)})
    body = _Literal("".join(f"- {t}\n" for t in kept))
    document = {"version": "3.1", "nlu": [{"intent": intent, "examples": body}]}

    text = yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False)
    return Fragment(text, len(kept), sum(1 for t in texts if not safe_example(t)))
