"""Every figure, delay, URL and path the assistant states is a slot or a sourced fact.

carpimko/facts.yml holds the fund's facts with their source (a seed of the fund's guides, with
the quote found in it; « portail » with the portal file holding the rule; « exemple »). This
test reads every response of domain.yml (every channel, buttons included) and fails on what
is left once slots ({name}), numbered steps and sourced wordings are taken out.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

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
SLOT = re.compile(r"\{[a-z_]+\}")


def _norm(text: str) -> str:
    return " ".join(text.replace("*", "").split()).casefold()


def unsourced_claims(text: str) -> list[str]:
    """What a response states that is neither a slot, a step number nor a sourced wording."""
    rest = STEP_NUMBER.sub(r"\1", SLOT.sub(" ", text))
    for wording in facts.sourced_wordings():
        rest = rest.replace(wording, " ")
    return [match.group(0).strip() for match in CLAIM.finditer(rest)]


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
        "La date doit se situer dans les douze mois passés.",
    ],
)
def test_a_planted_unsourced_statement_is_caught(planted: str) -> None:
    assert unsourced_claims(planted) != []


@pytest.mark.parametrize(
    "sourced",
    [
        "Par courrier : sous 72 heures, hors week-ends et jours fériés.",
        "Cliquez sur le lien dans les 24 heures, sur www.carpimko.com.",
        "Par « Ma prévoyance » > « Nous écrire » > « Ma prévoyance » > « Maladie, Invalidité ».",
        "Votre numéro de dossier, par exemple {dossier}. Étape :\n1. Cliquez.",
    ],
)
def test_sourced_statements_pass(sourced: str) -> None:
    assert unsourced_claims(sourced) == []


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
