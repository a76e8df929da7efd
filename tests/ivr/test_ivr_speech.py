"""carpimko.text.speech: what the phone voice reads instead of the web wording."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from carpimko import facts
from carpimko.text.speech import (
    amount,
    digit_by_digit,
    keypad_menu,
    phone_in_pairs,
    speak,
    spoken_date,
)
from tests.ivr.twiml_rules import NOISE

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text("utf-8"))


def test_phone_numbers_are_read_in_pairs() -> None:
    assert phone_in_pairs("01 30 48 10 00") == "zéro un, trente, quarante-huit, dix, zéro zéro"
    assert (
        phone_in_pairs("+33 6 12 34 56 78")
        == "zéro six, douze, trente-quatre, cinquante-six, soixante-dix-huit"
    )
    assert "zéro un, trente" in speak("Appelez le 01 30 48 10 00.")


def test_dossier_numbers_are_read_digit_by_digit() -> None:
    assert digit_by_digit("1234567") == "un, deux, trois, quatre, cinq, six, sept"
    spoken = speak("J'ai noté le numéro de dossier 123456789.")
    assert spoken == (
        "J'ai noté le numéro de dossier un, deux, trois, quatre, cinq, six, sept, huit, neuf."
    )


def test_amounts_dates_and_hours_are_spoken_naturally() -> None:
    assert amount(1234, 50) == "mille deux cent trente-quatre euros cinquante"
    assert (
        speak("Montant : 1 234,50 €.") == "Montant: mille deux cent trente-quatre euros cinquante."
    )
    assert speak("12 euros") == "douze euros."
    assert spoken_date(date(2025, 11, 17)) == "lundi 17 novembre 2025"
    assert speak("Reçu le 17/11/2025.") == "Reçu le lundi 17 novembre 2025."
    assert speak("le 2026-01-05") == "le lundi 5 janvier 2026."
    assert speak("de 8h45 à 12 h 45") == "de 8 heures 45 à 12 heures 45."
    assert speak("à 9 h 00") == "à 9 heures."


def test_urls_become_the_site_and_menu_paths_are_spoken() -> None:
    spoken = speak(
        "Sur www.carpimko.com, ouvrez « Ma prévoyance » > « Nous écrire » "
        "(voir https://www.carpimko.com/contact)."
    )
    assert spoken == (
        "Sur le site carpimko point com, ouvrez Ma prévoyance, puis Nous écrire, "
        "voir le site carpimko point com."
    )


def test_markup_bullets_emoji_and_masked_values_are_never_read() -> None:
    text = (
        "## Titre\n**Important** : [le site](https://example.org) 🙂\n"
        "• Par e-mail à j****t@e******.fr\n1. Rappel au 06 ** ** ** 78\n- connecté(e) ✅"
    )
    spoken = speak(text)
    assert spoken == (
        "Titre. Important: le site. Par e-mail à j, quatre étoiles, t, arobase, e, six étoiles, "
        "point, f r. "
        "Rappel au numéro se terminant par 78. connecté."
    )


def test_references_are_spelled() -> None:
    assert speak("Référence RAP-20251112-A1B2C3.") == (
        "Référence R A P, 2 0 2 5 1 1 1 2, A 1 B 2 C 3."
    )


def test_buttons_become_a_keypad_menu() -> None:
    menu = keypad_menu(
        [
            {"title": "Affilié", "payload": '/inform{"profile":"affilie"}'},
            {"title": "Ayant droit", "payload": '/inform{"profile":"ayant_droit"}'},
        ]
    )
    assert menu.prompt == ("« Affilié », tapez 1. « Ayant droit », tapez 2.")
    assert menu.keys == {
        "1": '/inform{"profile":"affilie"}',
        "2": '/inform{"profile":"ayant_droit"}',
    }
    assert menu.titles == {"1": "Affilié", "2": "Ayant droit"}


def test_a_keypad_menu_stops_at_nine_choices() -> None:
    buttons = [{"title": f"Choix {i}", "payload": f"/p{i}"} for i in range(12)]
    assert list(keypad_menu(buttons).keys) == [str(i) for i in range(1, 10)]


@pytest.mark.parametrize("name", sorted(DOMAIN["responses"]))
def test_every_response_is_speakable(name: str) -> None:
    """The voice never reads a URL, markdown, a masked value or a raw number of any response."""
    for variant in DOMAIN["responses"][name]:
        text = variant.get("text", "")
        # Slots as Rasa would fill them, with the worst values for a voice.
        filled = (
            facts.fill(text)
            .replace("{reset_masked_email}", "j****t@e******.fr")
            .replace("{masked_email}", "j****t@e******.fr")
            .replace("{masked_phone}", "06 ** ** ** 78")
            .replace("{phone}", "01 30 48 10 00")
            .replace("{dossier_number}", "1234567")
            .replace("{reference}", "CONS-20251112-ABC123")
        )
        spoken = speak(filled)
        assert not NOISE.search(spoken), (name, NOISE.search(spoken), spoken)


@given(st.text(max_size=200))
def test_speak_never_fails_and_never_leaves_markup(text: str) -> None:
    spoken = speak(text)
    assert not any(ch in spoken for ch in "*[]{}<>|`")
