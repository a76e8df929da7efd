"""Letting go inside a logged-in form (issue 17, « Let go when asked »; issue 20, the digression
handling written once in carpimko/dialogue.py), through the REST channel of a running stack,
logged in as the demo member 1234567 (the portal session token as message metadata, as the
web widget sends it). What the person reads: the new question answered, the old one never
asked again. The file name sorts before test_stack.py, whose last test stops the stack.
"""

from __future__ import annotations

from benchmarks.devstack import DevStack
from tests.integration.test_conversations_trust import Conversation, login

ASKS_IBAN = "Indiquez l'IBAN du nouveau compte"
ASKS_ADDRESS = "Quelle est votre nouvelle adresse ?"
ASKS_YEAR = "Pour quelle année ?"


def asked(texts: list[str], question: str) -> bool:
    return any(question in t for t in texts)


def test_a_new_procedure_replaces_the_rib_form_and_the_iban_is_not_asked_again(
    stack: DevStack,
) -> None:
    chat = Conversation(stack, login(stack, "1234567"))
    assert asked(chat.say("je voudrais changer mon RIB"), ASKS_IBAN)
    texts = chat.say("en fait je voudrais changer mon adresse postale")
    assert asked(texts, ASKS_ADDRESS), texts
    assert not asked(texts, ASKS_IBAN), texts
    texts = chat.say("non c'est bon")
    assert any("j'arrête" in t for t in texts), texts
    texts = chat.say("merci")
    assert not asked(texts, ASKS_IBAN) and not asked(texts, ASKS_ADDRESS), texts


def test_a_death_announced_ends_the_documents_form_condolences_first(stack: DevStack) -> None:
    chat = Conversation(stack, login(stack, "1234567"))
    assert asked(chat.say("je voudrais mes bordereaux de paiement"), ASKS_YEAR)
    texts = chat.say("ma mère est décédée, qu'est-ce que je dois faire ?")
    assert texts and "sincèrement désolé" in texts[0], texts
    assert not asked(texts, ASKS_YEAR), texts
    texts = chat.say("merci")
    assert not asked(texts, ASKS_YEAR), texts


def test_the_password_rules_inside_the_rib_form_are_given_then_the_iban_asked_again(
    stack: DevStack,
) -> None:
    chat = Conversation(stack, login(stack, "1234567"))
    chat.say("je veux changer mon RIB")
    texts = chat.say("quelles sont les règles pour le mot de passe ?")
    assert "au moins 8 caractères" in texts[0], texts
    assert asked(texts, ASKS_IBAN), texts
    assert not any("IBAN n'est pas valide" in t or "pas compris" in t for t in texts), texts
