"""Issue 17 through the REST channel of a running stack: what the person reads.

One test per item of « What was seen »: no letter sent, the question answered, the form ended,
the right body named, condolences first. Logged-in turns carry the portal session token as
message metadata, as the web widget does. The file name sorts before test_stack.py, whose last
test stops the session's stack with Ctrl-C (tests run in file order: no random ordering).
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from benchmarks.devstack import DevStack


class Conversation:
    """One sender talking to the stack; ``texts`` are the bot's answers to the last message."""

    def __init__(self, stack: DevStack, token: str | None = None) -> None:
        self.stack = stack
        self.sender = f"trust-{uuid.uuid4()}"
        self.metadata: dict[str, Any] = {"portal_token": token} if token else {}

    def say(self, text: str) -> list[str]:
        response = httpx.post(
            f"{self.stack.rasa_url}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": text, "metadata": self.metadata},
            timeout=60,
        )
        response.raise_for_status()
        self.last = response.json()
        return [m.get("text", "") for m in self.last if m.get("text")]

    def buttons(self) -> list[str]:
        return [b["title"] for m in self.last for b in m.get("buttons") or []]


def outbox(stack: DevStack, dossier: str) -> int:
    answer = httpx.get(
        f"{stack.portal_url}/api/v1/demo/outbox", params={"dossier_number": dossier}, timeout=10
    )
    answer.raise_for_status()
    return int(answer.json()["count"])


def login(stack: DevStack, dossier: str) -> str:
    answer = httpx.post(
        f"{stack.portal_url}/api/v1/sessions",
        json={"profile": "affilie", "dossier_number": dossier, "password": "Carpimko2024"},
        timeout=10,
    )
    answer.raise_for_status()
    return str(answer.json()["token"])


# --- a letter in hand -------------------------------------------------------------------------
def test_a_letter_in_hand_gets_its_steps_and_no_new_letter(stack: DevStack) -> None:
    before = outbox(stack, "4567890")
    chat = Conversation(stack)
    texts = chat.say("j'ai reçu un mot de passe provisoire par courrier, qu'est-ce que j'en fais ?")
    joined = "\n".join(texts)
    assert "Une fois le mot de passe provisoire reçu" in joined
    assert "C'est fait" not in joined and "affilié ou ayant droit" not in joined
    assert outbox(stack, "4567890") == before


def test_a_reset_with_a_pending_letter_asks_first_and_no_keeps_it(stack: DevStack) -> None:
    before = outbox(stack, "4567890")
    chat = Conversation(stack)
    chat.say("mot de passe oublié")
    chat.say('/inform{"profile":"affilie"}')
    texts = chat.say("4567890")
    assert any("déjà été envoyé par courrier" in t for t in texts), texts
    assert any("ne fonctionnera plus" in t for t in texts)
    assert "Non, j'utilise mon courrier" in chat.buttons()
    texts = chat.say("/deny")
    assert any("reste valable" in t for t in texts), texts
    assert outbox(stack, "4567890") == before


# --- confident wrong answers --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("message", "expected", "never"),
    [
        ("comment déclarer mes impôts sur le revenu en ligne", "l'administration fiscale",
         "Vos revenus professionnels"),
        ("quel est le montant du smic cette année", "service-public.fr", "attestation fiscale"),
        ("je veux changer d'opérateur internet", "votre opérateur", "8 h 45"),
    ],
)  # fmt: skip
def test_other_bodies_are_named_plainly(
    stack: DevStack, message: str, expected: str, never: str
) -> None:
    texts = Conversation(stack).say(message)
    assert texts[0].startswith("Ce n'est pas une démarche de la CARPIMKO"), texts
    assert expected in texts[0]
    assert not any(never in t for t in texts)


@pytest.mark.parametrize(
    "message",
    [
        "ma mère est décédée, je voudrais savoir si j'ai droit à la pension de réversion",
        "mon mari est décédé, qu'est-ce que je dois faire ?",
    ],
)
def test_a_death_gets_condolences_first_then_the_ayant_droit_path(
    stack: DevStack, message: str
) -> None:
    chat = Conversation(stack)
    texts = chat.say(message)
    assert texts[0].startswith("Je suis sincèrement désolé"), texts
    assert "réversion" in texts[1] and "rente de survie" in texts[1]
    assert "Parler à un conseiller" in chat.buttons()
    assert not any("Soyez prudent" in t or "Demander ma retraite" in t for t in texts)


def test_who_pays_during_a_sick_leave_is_answered_as_the_funds(stack: DevStack) -> None:
    texts = Conversation(stack).say(
        "je suis en arrêt maladie, c'est l'assurance maladie ou la carpimko qui paie mes "
        "indemnités journalières ?"
    )
    assert texts[0].startswith("C'est bien une question pour la CARPIMKO"), texts
    assert "Jusqu'à quelle date" not in "\n".join(texts)  # not the extension procedure


def test_a_rejected_carpimko_direct_debit_stays_the_funds(stack: DevStack) -> None:
    texts = Conversation(stack).say("ma banque a rejeté le prélèvement de la carpimko")
    joined = "\n".join(texts)
    assert "ne relève pas" not in joined and "Ce n'est pas une démarche" not in joined
    assert "cotisations" in joined


def test_unknown_is_i_do_not_know_never_a_guess(stack: DevStack) -> None:
    chat = Conversation(stack)
    texts = chat.say("quelle est la capitale de l'Australie ?")
    assert texts[0].startswith("Je ne sais pas répondre"), texts
    assert "ne relève pas" not in "\n".join(texts)
    assert "Parler à un conseiller" in chat.buttons()


# --- letting go ---------------------------------------------------------------------------------
def test_franceconnect_inside_the_reset_form_ends_it(stack: DevStack) -> None:
    chat = Conversation(stack)
    chat.say("j'ai oublié mon mot de passe")
    texts = chat.say("laissez tomber, je vais utiliser FranceConnect")
    assert not any("numéro de dossier" in t for t in texts), texts
    assert any("S'identifier avec FranceConnect" in t for t in texts), texts
    texts = chat.say("non merci")
    assert not any("numéro de dossier" in t or "ayant droit ?" in t for t in texts), texts


def test_no_thanks_inside_the_reset_form_ends_it(stack: DevStack) -> None:
    chat = Conversation(stack)
    chat.say("j'ai oublié mon mot de passe")
    texts = chat.say("non c'est bon")
    assert any("j'arrête" in t for t in texts), texts
    texts = chat.say("merci")
    assert not any("numéro de dossier" in t or "ayant droit ?" in t for t in texts)


def test_the_password_rules_are_given_not_a_reset(stack: DevStack) -> None:
    texts = Conversation(stack).say("quelles sont les règles pour le mot de passe ?")
    assert "au moins 8 caractères" in texts[0], texts
    assert not any("affilié ou ayant droit" in t for t in texts)


def test_an_attestation_without_benefit_is_answered_once(stack: DevStack) -> None:
    chat = Conversation(stack, login(stack, "1234567"))  # Jeanne: contributor, no benefit
    texts = chat.say("je voudrais une attestation de versement pour mes impôts")
    joined = "\n".join(texts)
    assert "aucune prestation versée" in joined, texts
    assert "Pour quelle période" not in joined


# --- garbage ------------------------------------------------------------------------------------
@pytest.mark.parametrize("message", ["????", "🙂"])
def test_garbage_gets_the_fallback_not_a_value(stack: DevStack, message: str) -> None:
    texts = Conversation(stack).say(message)
    assert not any(t.startswith("Merci. Que souhaitez-vous faire avec cette") for t in texts)
    assert texts and ("pas sûr d'avoir compris" in texts[0] or "Vouliez-vous" in texts[0])


# --- number length --------------------------------------------------------------------------------
def test_a_number_is_never_the_wrong_length_for_a_situation(stack: DevStack) -> None:
    chat = Conversation(stack)
    chat.say("mot de passe oublié")
    chat.say('/inform{"profile":"ayant_droit"}')
    texts = chat.say("1234567")  # 7 digits, « ayant droit »: only the portal's lookup answers
    joined = "\n".join(texts)
    assert "Numéro de dossier ou profil incorrect" in joined, texts
    assert "9 chiffres" not in joined and "Pour un ayant droit" not in joined


def test_a_lone_word_is_not_taken_for_information(stack: DevStack) -> None:
    texts = Conversation(stack).say("banane")
    # Not understood (the fallback's words, or « je ne sais pas répondre »), never « Merci ».
    assert texts and texts[0].startswith(("Je ne suis pas sûr", "Je ne sais pas répondre")), texts
    assert not any(t.startswith("Merci. Que souhaitez-vous faire") for t in texts)


def test_a_new_question_inside_the_reset_form_replaces_it(stack: DevStack) -> None:
    chat = Conversation(stack)
    chat.say("j'ai oublié mon mot de passe")
    texts = chat.say("comment déclarer mes impôts sur le revenu en ligne")
    assert texts[0].startswith("Ce n'est pas une démarche de la CARPIMKO"), texts
    texts = chat.say("merci")
    assert not any("numéro de dossier" in t or "ayant droit ?" in t for t in texts), texts


def test_another_body_named_in_a_form_answer_is_the_answer(stack: DevStack) -> None:
    """« avis d'imposition 2024 » names the tax office, but it answers « Quel document ? »:
    the referral is for questions, never for what the person is asked to describe."""
    chat = Conversation(stack, login(stack, "1234567"))
    chat.say("je voudrais envoyer un document")
    chat.say('/inform{"document_service": "cotisations"}')
    texts = chat.say("avis d'imposition 2024")
    joined = "\n".join(texts)
    assert "Choisissez maintenant le fichier" in joined, texts
    assert "Ce n'est pas une démarche de la CARPIMKO" not in joined


# --- questions met when members tried it (session 9) -------------------------------------------
@pytest.mark.parametrize(
    "message", ["c'est quoi mon numéro d'affilié ?", "où trouver mon numéro de dossier ?"]
)
def test_where_the_dossier_number_is_written_is_answered(stack: DevStack, message: str) -> None:
    """Not « Merci. Que souhaitez-vous faire avec cette information ? »: the fund's answer."""
    joined = "\n".join(Conversation(stack).say(message))
    assert "en haut à droite de chaque courrier de la CARPIMKO" in joined
    assert "« numéro d'affilié »" in joined and "Merci." not in joined


def test_where_the_number_is_asked_inside_the_reset_form_then_the_question_again(
    stack: DevStack,
) -> None:
    chat = Conversation(stack)
    chat.say("mot de passe oublié")
    chat.say('/inform{"profile":"affilie"}')
    texts = chat.say("je ne sais pas où trouver mon numéro de dossier")
    joined = "\n".join(texts)
    assert "en haut à droite de chaque courrier" in joined, texts
    assert texts[-1].startswith("Quel est votre numéro de dossier"), texts


def test_when_a_pension_is_paid_is_not_answered_with_the_retirement_request(
    stack: DevStack,
) -> None:
    joined = "\n".join(Conversation(stack).say("quand est versée ma retraite ce mois-ci ?"))
    assert "Demander ma retraite" not in joined
    assert "bordereaux de paiement" in joined and "un conseiller vous répond" in joined


def test_the_letter_delay_question_is_not_answered_with_the_password_rules(
    stack: DevStack,
) -> None:
    joined = "\n".join(
        Conversation(stack).say("combien de temps pour recevoir le courrier du mot de passe ?")
    )
    assert "au moins 8 caractères" not in joined, joined


def test_why_a_question_is_asked_gets_its_reason_then_the_question(stack: DevStack) -> None:
    chat = Conversation(stack)
    chat.say("mot de passe oublié")
    chat.say('/inform{"profile":"affilie"}')
    texts = chat.say("pourquoi vous me demandez ça ?")
    assert texts[0].startswith("Votre numéro de dossier permet de retrouver votre dossier"), texts
    assert texts[-1].startswith("Quel est votre numéro de dossier"), texts


def test_why_outside_a_form_is_not_guessed(stack: DevStack) -> None:
    texts = Conversation(stack).say("pourquoi vous me demandez ça ?")
    assert texts[0].startswith("Je ne vous demande rien pour le moment"), texts
