"""Every figure, delay, URL and path the assistant states is a slot: a sourced fact or a value.

carpimko/facts.yml holds the fund's facts with their source (a seed of the fund's guides, with
the quote found in it; « portail » with the portal file holding the rule) and the illustrative
examples. Responses state a fact only through its slot (``{fact_letter_delay}``), generated
into domain.yml from that file. This test reads every response of domain.yml (every channel,
buttons included) and fails on what is left once slots, numbered steps and examples are taken
out: a fact written by hand fails too, since it would not follow a change of facts.yml.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import re
from pathlib import Path

import pytest
import yaml
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from carpimko import facts

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"  # ../shared beside the clone, as in CI
RESPONSES = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
DATA = facts.load()

NUMBER_WORDS = r"une?|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|vingt|trente"
UNITS = r"heures?|h|jours?|minutes?|mois|ans|années?|semaines?|chiffres|caractères"
CLAIM = re.compile(
    r"https?://\S+"  # a URL
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|fr|gouv|org|net)\b"  # a site name
    r"|«[^»]*»(?:\s*>\s*(?:«[^»]*»|[^\n.;:]+))+"  # a path in the portal's menus
    r"|>\s*«[^»]*»"  # the tail of a path whose head was sourced
    rf"|\b(?:{NUMBER_WORDS})\s+(?:{UNITS})\b"  # a delay or a length in words
    r"|\d+",  # any figure
    re.IGNORECASE,
)
STEP_NUMBER = re.compile(r"^(\s*)\d+\.\s", re.MULTILINE)
SLOT = re.compile(r"\{([a-z_]+)\}")
DOMAIN_SLOTS = set(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["slots"])


def _norm(text: str) -> str:
    return " ".join(text.replace("*", "").split()).casefold()


def _restated_paths() -> list[re.Pattern[str]]:
    """Two steps of a fact's menu path written by hand, whatever joins them (« », puis «)."""
    patterns = []
    for text in facts.slot_values().values():
        steps = re.findall(r"«[^»]*»", text) if " > " in text else []
        patterns += [
            re.compile(re.escape(first) + r"[^«»]{0,20}" + re.escape(second))
            for first, second in itertools.pairwise(steps)
        ]
    return patterns


RESTATED_PATHS = _restated_paths()


def unsourced_claims(text: str) -> list[str]:
    """What a response states that is neither a slot, a step number nor an example."""
    rest = STEP_NUMBER.sub(r"\1", SLOT.sub(" ", text))
    for wording in facts.example_wordings():
        rest = rest.replace(wording, " ")
    restated = [match.group(0) for path in RESTATED_PATHS for match in path.finditer(rest)]
    return restated + [match.group(0).strip() for match in CLAIM.finditer(rest)]


def response_texts() -> list[tuple[str, str]]:
    texts = []
    for name, variants in RESPONSES.items():
        for index, variant in enumerate(variants):
            parts = [variant.get("text") or ""]
            parts += [button["title"] for button in variant.get("buttons") or []]
            texts.append((f"{name}[{index}]", "\n".join(parts)))
    return texts


@pytest.mark.parametrize(("where", "text"), response_texts(), ids=[w for w, _ in response_texts()])
def test_every_response_states_only_sourced_facts(where: str, text: str) -> None:
    assert unsourced_claims(text) == [], f"{where}: unsourced figure, delay, URL or path"


@pytest.mark.parametrize(
    "planted",
    [
        "Le mot de passe provisoire est valable 30 jours.",
        "Le lien est valable 24 heures et le code 30 minutes.",
        "Vous le recevrez au plus tard dans cinq jours.",
        "Appelez le 01 23 45 67 89.",
        "Rendez-vous sur www.carpimko.fr.",
        "Allez dans « Ma prévoyance » > « Nous écrire » > « Maladie, Invalidité ».",
        "Ouvrez « Ma prévoyance » > changement de RIB.",
        "Espace Personnel, « Ma prévoyance », puis « Nous écrire », « Maladie, Invalidité ».",
        "La date doit se situer dans les douze mois passés.",
    ],
)
def test_a_planted_unsourced_statement_is_caught(planted: str) -> None:
    assert unsourced_claims(planted) != []


@pytest.mark.parametrize(
    "hand_written",
    [
        "Par courrier : sous 72 heures, hors week-ends et jours fériés.",
        "Cliquez sur le lien dans les 24 heures, sur www.carpimko.com.",
        "Par « Ma prévoyance » > « Nous écrire » > « Ma prévoyance » > « Maladie, Invalidité ».",
    ],
)
def test_a_fact_written_by_hand_is_caught(hand_written: str) -> None:
    """True, sourced, but written beside facts.yml: it would not follow a change of the fact."""
    assert unsourced_claims(hand_written) != []


@pytest.mark.parametrize(
    "through_slots",
    [
        "Par courrier : sous {fact_letter_delay}.",
        "Cliquez sur le lien dans les {fact_reset_link_validity}, sur {fact_site}.",
        "Par {fact_sick_leave_path}.",
        "Votre numéro de dossier, par exemple {dossier}. Étape :\n1. Cliquez.",
        "Votre IBAN commence par FR76, par exemple FR76 3000 6000 0112 3456 7890 189.",
    ],
)
def test_facts_through_their_slots_and_examples_pass(through_slots: str) -> None:
    assert unsourced_claims(through_slots) == []


@pytest.mark.parametrize(("where", "text"), response_texts(), ids=[w for w, _ in response_texts()])
def test_every_placeholder_is_a_slot_of_the_domain(where: str, text: str) -> None:
    """``{fact_…}`` names a fact of facts.yml (else Rasa sends the braces to the member)."""
    facts_named = {name for name in SLOT.findall(text) if name.startswith(facts.SLOT_PREFIX)}
    assert facts_named <= set(facts.slot_values()), where
    assert facts_named <= DOMAIN_SLOTS, where


def test_domain_fact_slots_are_written_from_the_facts_file() -> None:
    """The generated block is current: `make facts` (run before training) was not forgotten."""
    domain_text = (ROOT / "domain.yml").read_text(encoding="utf-8")
    assert facts.render_domain(domain_text) == domain_text
    slots = yaml.safe_load(domain_text)["slots"]
    for slot, text in facts.slot_values().items():
        assert slots[slot]["initial_value"] == text
        assert slots[slot]["influence_conversation"] is False


def test_a_changed_fact_changes_every_response_stating_it() -> None:
    """What « one place » means: the response text takes the fact from its slot."""
    text = "Par courrier : sous {fact_letter_delay}. Minutes : {minutes}."
    assert facts.fill(text, {"minutes": "5"}) == (
        "Par courrier : sous 72 heures, hors week-ends et jours fériés. Minutes : 5."
    )
    assert facts.fill("{inconnu}") == "{inconnu}"


FACT_ROWS = [(name, entry) for name, entry in DATA["facts"].items()]


@pytest.mark.parametrize(("name", "entry"), FACT_ROWS, ids=[n for n, _ in FACT_ROWS])
def test_each_fact_is_found_in_its_source(name: str, entry: dict) -> None:
    if entry["source"] == "portail":
        holder = ROOT / entry["where"]
        assert entry["check"] in holder.read_text(encoding="utf-8")
        return
    seed = SEEDS / entry["source"]
    assert _norm(entry["quote"]) in _norm(seed.read_text(encoding="utf-8")), name


def test_examples_are_marked_as_examples() -> None:
    assert {entry["source"] for entry in DATA["examples"].values()} == {"exemple"}


def test_referrals_name_a_place_never_a_phone_number() -> None:
    for key, row in DATA["referrals"].items():
        assert row["body"] and row["where"] and row["keywords"], key
        assert not re.search(r"\d{2}[ .]?\d{2}[ .]?\d{2}", row["where"]), key


def test_two_bodies_named_is_no_referral_guessed() -> None:
    """« la CAF et ma mutuelle »: two doors named, the assistant does not pick one."""
    assert facts.find_referral("la CAF et ma mutuelle") is None


def _rendered(domain: Domain, name: str, channel: str) -> str:
    """What Rasa's own response generator sends for ``name`` in a new conversation (the values
    an action would give filled with « VALEUR »)."""
    tracker = DialogueStateTracker.from_events("fact-check", [], slots=domain.slots)
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    given = {
        placeholder: "VALEUR"
        for placeholder in SLOT.findall(str(domain.responses[name]))
        if not placeholder.startswith(facts.SLOT_PREFIX)
    }
    sent = asyncio.run(nlg.generate(name, tracker, channel, **given)) or {}
    titles = [button["title"] for button in sent.get("buttons") or []]
    return "\n".join([sent.get("text") or "", *titles])


FACT_RESPONSES = sorted(
    name
    for name, variants in RESPONSES.items()
    if any(facts.SLOT_PREFIX in json.dumps(variant, ensure_ascii=False) for variant in variants)
)


@pytest.mark.parametrize("channel", ["rest", "ivr"])
def test_rasa_fills_every_fact_in_a_new_conversation(channel: str) -> None:
    """No action needed: the slots start with the facts, for the chat and the phone alike."""
    domain = Domain.load(ROOT / "domain.yml")
    assert len(FACT_RESPONSES) > 40
    for name in FACT_RESPONSES:
        sent = _rendered(domain, name, channel)
        assert "{" not in sent and "None" not in sent, f"{name}: {sent}"


def test_a_fact_changed_in_the_facts_file_changes_the_responses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One place: edit facts.yml, `make facts`, and every response states the new wording."""
    changed = copy.deepcopy(facts.load())
    changed["facts"]["advisor_hours"]["text"] = "du lundi au jeudi, de 9 h à 12 h"
    monkeypatch.setattr(facts, "load", lambda: changed)
    domain = Domain.from_yaml(facts.render_domain((ROOT / "domain.yml").read_text("utf-8")))
    stating = [name for name in FACT_RESPONSES if "{fact_advisor_hours}" in str(RESPONSES[name])]
    assert len(stating) > 5
    for name in stating:
        sent = _rendered(domain, name, "rest")
        assert "du lundi au jeudi, de 9 h à 12 h" in sent, name
        assert "8 h 45" not in sent, name
