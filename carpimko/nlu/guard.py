"""``IntentGuard``: no procedure on a guess, no value read into noise.

Placed after ``FallbackClassifier``. It turns the message into ``nlu_fallback`` (so that the
dialogue asks « Vouliez-vous dire… ? » with buttons, the Rasa two-stage fallback of
actions/fallback.py) when:

- the text has no letter and no digit (« ???? », emoji): nothing to understand;
- the text has no content word: only interjections and fillers (« pfff », « bof », « hein »,
  « euh ben », « mdr »), or a keyboard mash (« azerty », « qsdfg »). Known short answers
  (« oui », « non », « ok », « merci »), numbers, e-mails and IBANs are not fillers;
- the intent starts a procedure that writes something (a reset, a letter, a RIB, an address…)
  but its confidence is below ``confirm_threshold``: the person is asked first.

And it turns the message into ``out_of_scope`` (``action_refer`` then names the right door)
when the message names another body of the referrals table (carpimko/facts.yml: the CAF,
the tax office, ameli…), does not name the fund (« carpimko », « ma caisse »), and the fund's
intent it was given is below ``refer_threshold``: the body named is evidence that the
classifier, unsure, has mistaken another body's question for the fund's. The fund's own
questions near another body (a CARPIMKO direct debit the bank rejected, an attestation the
CAF asks for) are classified with confidence or name the fund, and keep their intent.

A lone content word read as ``inform`` stays ``inform`` here: inside a form it may be the
answer (« Lucas », « demain »), which only the dialogue knows; outside a form,
``action_inform_no_context`` (actions/fallback.py) answers it as not understood. A filler
cannot be the answer to any question the forms ask, so it goes to the fallback everywhere.

The ranking is kept (the buttons come from it); ``nlu_fallback`` is put in front, as
``FallbackClassifier`` does. Button payloads (« /change_rib ») are not affected: Rasa's regex
handler sets their intent after the pipeline.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from carpimko.facts import named_referrals
from carpimko.procedures import registry
from carpimko.text.normalize import fold

WRITING_INTENTS = registry().writing_intents()
"""Intents whose procedure sends or changes something (``writes`` in carpimko/procedures.yml)."""
OUT_OF_SCOPE = "out_of_scope"
_MEANINGFUL = re.compile(r"[0-9A-Za-zÀ-ÖØ-öø-ÿ]")
_WORD = re.compile(r"[^\W\d_]+|\d+")
_REPEATS = re.compile(r"(.)\1+")
FILLERS = frozenset(
    {
        "ah",
        "oh",
        "eh",
        "ha",
        "ho",
        "ouh",
        "la",
        "bah",
        "ba",
        "be",
        "beh",
        "ben",
        "bof",
        "pf",
        "pfu",
        "ts",
        "tss",
        "rah",
        "gr",
        "hm",
        "hum",
        "mh",
        "heu",
        "euh",
        "hein",
        "et",
        "alors",
        "donc",
        "quoi",
        "zut",
        "ouf",
        "oups",
        "bref",
        "boh",
        "mdr",
        "ptdr",
        "lol",
        "xd",
    }
)
"""Interjections and fillers, letters repeated once (« pfff » → « pf », « hmmm » → « hm »):
a message made only of them carries no request and no value."""
_FUND = re.compile(
    r"\bcarpi[mn]ko\b|\b(?:ma|votre|la|cette) caisse\b(?! (?:primaire|nationale|d ?allocations?"
    r"|d ?epargne|d ?assurance))|\bchez vous\b|\bvotre (?:site|espace)\b|\bespace personnel\b"
    r"|\bnumero de dossier\b|\bvous (?:appeler|contacter|envoyer|transmettre|ecrire)\b"
    r"|\brente\b|\breversion\b"
)
"""The fund named or addressed in a folded message: « carpimko », « ma caisse » (not the
« caisse primaire », « caisse d'allocations familiales » or « caisse d'épargne »), « chez
vous », « votre site », « vous envoyer », or one of its own things (Espace Personnel, numéro
de dossier, rente, réversion)."""
_LAUGHTER = re.compile(r"^(?:[aeiou]?h[aeiou]){2,}h?$")
_KEYBOARD_ROWS = ("azertyuiop", "qsdfghjklm", "wxcvbn", "qwertyuiop", "asdfghjkl", "zxcvbnm")


def is_filler(text: str) -> bool:
    """No content word: only fillers, laughter (« hahaha ») or a keyboard mash (« qsdf »)."""
    words = [_REPEATS.sub(r"\1", w) for w in _WORD.findall(fold(text))]
    return bool(words) and all(_is_filler_word(w) for w in words)


def _is_filler_word(word: str) -> bool:
    if word in FILLERS or _LAUGHTER.match(word):
        return True
    return len(word) >= 4 and any(word in row for row in _KEYBOARD_ROWS)


def names_the_fund(text: str) -> bool:
    """The message names the fund itself (« carpimko », « votre caisse »)."""
    return bool(_FUND.search(" ".join(_WORD.findall(fold(text)))))


def refers_elsewhere(text: str, intent: str | None, confidence: float, threshold: float) -> bool:
    """A fund intent below ``threshold`` for a message that names another body, not the fund."""
    if intent in (None, OUT_OF_SCOPE, DEFAULT_NLU_FALLBACK_INTENT_NAME) or confidence >= threshold:
        return False
    return bool(named_referrals(text)) and not names_the_fund(text)


def guard_reason(
    text: str,
    intent: str | None,
    confidence: float,
    has_entities: bool,
    threshold: float,
    refer_threshold: float = 0.0,
) -> str | None:
    """Why the message must go to the fallback (``garbage``, ``unsure``) or to
    ``out_of_scope`` (``elsewhere``), or None when the classifier's intent stands."""
    if intent == DEFAULT_NLU_FALLBACK_INTENT_NAME or text.startswith("/"):
        return None
    if not _MEANINGFUL.search(text) or is_filler(text):
        return "garbage"
    if refers_elsewhere(text, intent, confidence, refer_threshold):
        return "elsewhere"
    if intent in WRITING_INTENTS and confidence < threshold:
        return "unsure"
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class IntentGuard(GraphComponent):
    """See the module docstring. Configuration: ``confirm_threshold`` (default 0.5),
    ``refer_threshold`` (default 0.0: no referral evidence)."""

    def __init__(self, config: dict[str, Any]) -> None:
        """Keep the thresholds: nothing to train or persist."""
        config = {**self.get_default_config(), **config}
        self._threshold = float(config["confirm_threshold"])
        self._refer_threshold = float(config["refer_threshold"])

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Below ``confirm_threshold`` a writing procedure is confirmed first; below
        ``refer_threshold`` a message naming another body (not the fund) is out of scope."""
        return {"confirm_threshold": 0.5, "refer_threshold": 0.0}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentGuard:
        """Create the component (see ``GraphComponent.create``)."""
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Send garbage and unsure writing intents to ``nlu_fallback``, another body's
        question to ``out_of_scope``."""
        for message in messages:
            intent = message.get(INTENT) or {}
            reason = guard_reason(
                message.get(TEXT) or "",
                intent.get("name"),
                float(intent.get("confidence") or 0.0),
                bool(message.get(ENTITIES)),
                self._threshold,
                self._refer_threshold,
            )
            if reason is None:
                continue
            name = OUT_OF_SCOPE if reason == "elsewhere" else DEFAULT_NLU_FALLBACK_INTENT_NAME
            decided = {"name": name, "confidence": float(intent.get("confidence") or 0.0)}
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
            message.data[INTENT] = decided
            message.data[INTENT_RANKING_KEY] = [dict(decided), *ranking]
        return messages
