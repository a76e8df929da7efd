"""Every response a caller can hear, as the phone channel reads it: short, one question, no number.

Rasa picks, for the ``ivr`` channel, the ``channel: ivr`` variants of a response when it has
some, else its variants without a channel (conditions included: each may be picked). Each is
filled with the values the actions put in (portal hours, masked e-mail, dates, references) and
rendered by the channel exactly as a turn: sentences, keypad menu, « Avez-vous une autre
demande ? » after an answer that asks nothing. A caller cannot scroll back: past about 35 words
a turn is lost (40 is the hard limit here).
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from carpimko import facts
from carpimko.channels.ivr import PHRASES, IVRInput
from carpimko.channels.ivr_state import CallState
from carpimko.text.speech import spell_masked_email

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))
MAX_WORDS = 40
FILL = {
    # The fund's facts, as Rasa fills their slots (carpimko/facts.yml).
    **facts.slot_values(),
    # What the actions and the portal put into the responses (actions/*.py, portal/services).
    "phone": "01 30 48 10 00",
    "hours": "du lundi au vendredi de 8 h 45 à 12 h 45, hors jours fériés",
    "open_state": "Le standard est ouvert en ce moment, jusqu'à 12 h 45.",
    "next_opening": "jeudi 13 novembre 2025 à 8 h 45",
    "address": "CARPIMKO, 6 place Charles de Gaulle, 78882 Saint-Quentin-en-Yvelines Cedex",
    "reset_masked_email": "j****nt@e*****.fr",
    "masked_email": "j****nt@e*****.fr",
    "masked_phone": "06 ** ** ** 78",
    "masked_iban": "FR76 **** **** 0189",
    "reference": "RAP-20251112-A1B2C3",
    "delivery_date": "lundi 17 novembre 2025",
    "dossier_number": "1234567",
}
SPOKEN_PHONE = re.compile(r"zéro [a-z]+, [a-z-]+, [a-z-]+, [a-z-]+")
"""A phone number as speech.py reads it (« zéro un, trente, quarante-huit, dix… »)."""


def phone_variants() -> list[tuple[str, dict[str, Any]]]:
    """(response, variant) for every variant the ``ivr`` channel may be sent."""
    chosen = []
    for name, variants in sorted(DOMAIN["responses"].items()):
        phone = [v for v in variants if v.get("channel") == "ivr"]
        for variant in phone or [v for v in variants if not v.get("channel")]:
            chosen.append((name, variant))
    return chosen


def channel() -> IVRInput:
    ivr = IVRInput(check_signature=False)
    ivr.load_phrases(DOMAIN["responses"])
    return ivr


def heard(*variants: dict[str, Any]) -> str:
    """The turn a caller hears when these variants are the answer (one turn, in order)."""
    messages = [
        {
            "text": re.sub(
                r"\{(\w+)\}", lambda m: FILL.get(m.group(1), "quelque chose"), v.get("text", "")
            ),
            "buttons": v.get("buttons") or [],
            "custom": v.get("custom"),
        }
        for v in variants
    ]
    return " ".join(channel().render(messages, CallState()).say)


def word_count(spoken: str) -> int:
    return len(re.findall(r"[^\W_]+(?:['’-][^\W_]+)*", spoken))


def dialogue_sequences() -> set[tuple[str, ...]]:
    """Responses the rules and stories send one after another (one turn on the phone)."""
    found: set[tuple[str, ...]] = set()
    for path in sorted((ROOT / "data").glob("*/*.yml")):
        data = yaml.safe_load(path.read_text("utf-8")) or {}
        for flow in (data.get("rules") or []) + (data.get("stories") or []):
            run: list[str] = []
            for step in [*flow.get("steps", []), {}]:
                action = step.get("action", "") if isinstance(step, dict) else ""
                if action.startswith("utter_") and action in DOMAIN["responses"]:
                    run.append(action)
                    continue
                if len(run) > 1:
                    found.add(tuple(run))
                run = []
    return found


ACTION_SEQUENCES = {
    # What the actions send in one turn (actions/forms/reset.py, handoff.py, contact.py) and
    # what the channel puts before Rasa's answer (utter_ivr_offer_advisor).
    ("utter_reset_email_sent", "utter_password_rules"),
    ("utter_reset_letter_sent", "utter_first_login_temporary_password"),
    ("utter_reset_letter_held", "utter_first_login_temporary_password"),
    ("utter_reset_post_only", "utter_reset_letter_sent", "utter_first_login_temporary_password"),
    ("utter_reset_nothing_requested", "utter_reset_link_steps"),
    ("utter_reset_nothing_requested", "utter_first_login_temporary_password"),
    ("utter_first_login_steps", "utter_first_login_temporary_password"),
    ("utter_identity_mismatch", "utter_ask_postal_code"),
    ("utter_contact_fallback", "utter_contact"),
    ("utter_ivr_offer_advisor", "utter_handoff_created"),
    ("utter_ivr_offer_advisor", "utter_handoff_closed_offer"),
    ("utter_greet_day", "utter_menu"),
    ("utter_greet_evening", "utter_menu"),
}


VARIANTS = phone_variants()
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(VARIANTS)]


@pytest.mark.parametrize(("name", "variant"), VARIANTS, ids=IDS)
def test_a_phone_turn_is_short_and_asks_one_question(name: str, variant: dict[str, Any]) -> None:
    spoken = heard(variant)
    words = word_count(spoken)
    assert words <= MAX_WORDS, f"{name}: {words} words on the phone: {spoken!r}"
    assert spoken.count("?") <= 1, f"{name}: several questions in one turn: {spoken!r}"


SEQUENCES = sorted(dialogue_sequences() | ACTION_SEQUENCES)


@pytest.mark.parametrize("names", SEQUENCES, ids=["+".join(s) for s in SEQUENCES])
def test_responses_sent_together_still_make_a_short_turn(names: tuple[str, ...]) -> None:
    """Several responses in one turn: every combination of their phone variants."""
    choices = [[v for n, v in VARIANTS if n == name] for name in names]
    for combination in itertools.product(*choices):
        spoken = heard(*combination)
        words = word_count(spoken)
        assert words <= MAX_WORDS, f"{names}: {words} words in one turn: {spoken!r}"
        assert spoken.count("?") <= 1, f"{names}: several questions in one turn: {spoken!r}"


def test_the_sequences_are_found_in_the_dialogue_data() -> None:
    assert ("utter_change_rib", "utter_login_help") in SEQUENCES
    assert len(dialogue_sequences()) >= 10


@pytest.mark.parametrize(("name", "variant"), VARIANTS, ids=IDS)
def test_no_phone_number_is_read_to_a_caller(name: str, variant: dict[str, Any]) -> None:
    spoken = heard(variant)
    assert not SPOKEN_PHONE.search(spoken), f"{name} reads a phone number: {spoken!r}"


def test_the_channel_phrases_are_short() -> None:
    for name in PHRASES:
        text = DOMAIN["responses"][name][0]["text"]
        assert len(text.split()) <= 25, name


def test_the_masked_email_is_spelled_when_the_caller_chooses_e_mail_or_post() -> None:
    spoken = heard(
        next(v for n, v in VARIANTS if n == "utter_ask_delivery_channel" and v.get("buttons"))
    )
    assert "j, quatre étoiles, n t, arobase, e, cinq étoiles, point, f r" in spoken
    assert "comptable" in spoken  # the check the fund asks the caller to make


def test_a_masked_email_is_spelled_letter_by_letter() -> None:
    assert spell_masked_email("j****dy@e******.fr") == (
        "j, quatre étoiles, d y, arobase, e, six étoiles, point, f r"
    )
    assert spell_masked_email("a*@b.com") == "a, une étoile, arobase, b, point, c o m"
    assert spell_masked_email("m_2*@x-y.fr") == (
        "m, tiret bas, deux, une étoile, arobase, x, tiret, y, point, f r"
    )


def test_the_test_catches_a_long_turn() -> None:
    long = {"text": " ".join(["mot"] * 41) + "."}
    with pytest.raises(AssertionError):
        test_a_phone_turn_is_short_and_asks_one_question("long", long)
