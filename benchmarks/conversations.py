"""The conversations the benchmark replays: the fund's procedures, anonymous and logged in.

Plain data (no Locust import) so that tests/bench can check it against the domain. A text
conversation runs on the REST or the socket.io channel; a phone call is a list of Twilio form
posts to the IVR webhook. Logged-in conversations first open a portal session with the demo
password and send its token in the message metadata, as the Espace Personnel page does.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

CHANNEL_WEIGHTS = {"rest": 5, "socketio": 3, "ivr": 2}
"""Share of conversations per channel (widget and integrations first, then the phone)."""
LOGGED_IN_SHARE = 0.3
"""Share of the web and REST conversations held by a member logged in to the Espace Personnel."""
APOLOGY = "je ne peux pas terminer cette démarche pour le moment"
"""Part of utter_service_unavailable: an answer holding it means a turn failed (an error)."""


@dataclass(frozen=True)
class TextConversation:
    """A chat conversation (REST or socket.io); ``dossier`` set = logged in as that member."""

    name: str
    messages: tuple[str, ...]
    dossier: str | None = None
    profile: str = "affilie"


@dataclass(frozen=True)
class Call:
    """A phone call: Twilio form fields of each turn (CallSid and From are added per call)."""

    name: str
    turns: tuple[dict[str, str], ...]


ANONYMOUS = (
    TextConversation(
        "reset by e-mail",
        (
            "bonjour",
            "j'ai oublié mon mot de passe",
            '/inform{"profile":"affilie"}',
            "1234567",
            '/inform{"delivery_channel":"email"}',
            "merci beaucoup",
        ),
    ),
    TextConversation(
        "first login by post",
        (
            "c'est ma première connexion",
            '/inform{"profile":"affilie"}',
            "mon numéro c'est le 23 45 678",
            "merci",
            "au revoir",
        ),
    ),
    TextConversation(
        "contact then advisor",
        (
            "bonjour",
            "quels sont vos horaires ?",
            "je voudrais parler à un conseiller",
            "au revoir",
        ),
    ),
    TextConversation(
        "login problem, digression",
        (
            "je n'arrive pas à me connecter",
            "quel est votre numéro de téléphone ?",
            "stop",
            "merci, au revoir",
        ),
    ),
)
LOGGED_IN = (
    TextConversation(
        "attestation (logged in)",
        (
            "je voudrais une attestation de paiement",
            '/inform{"attestation_type": "paiement_invalidite_deces"}',
            "de janvier à mars 2025",
            "merci beaucoup",
        ),
        dossier="7654321",
    ),
    TextConversation(
        "payment slips (logged in)",
        (
            "bonjour",
            "je voudrais mes bordereaux de paiement",
            "merci",
            "au revoir",
        ),
        dossier="7654321",
    ),
)
CALLS = (
    Call(
        "phone: reset on the keypad",
        (
            {},
            {"Digits": "1"},
            {"Digits": "1"},
            {"Digits": "1234567#"},
            {"Digits": "69003#"},
            {"Digits": "1"},
            {"SpeechResult": "au revoir", "Confidence": "0.9"},
        ),
    ),
    Call(
        "phone: hours then advisor",
        (
            {},
            {"SpeechResult": "quels sont vos horaires", "Confidence": "0.9"},
            {"SpeechResult": "je veux parler à un conseiller", "Confidence": "0.9"},
        ),
    ),
)


def pick(
    rng: random.Random, channels: dict[str, int] | None = None
) -> tuple[str, TextConversation | Call]:
    """(channel, conversation) drawn with the channel weights and the logged-in share."""
    weights = channels or CHANNEL_WEIGHTS
    channel = rng.choices(list(weights), weights=list(weights.values()))[0]
    if channel == "ivr":
        return channel, rng.choice(CALLS)
    pool = LOGGED_IN if rng.random() < LOGGED_IN_SHARE else ANONYMOUS
    return channel, rng.choice(pool)


def parse_channels(spec: str) -> dict[str, int]:
    """« rest:5,socketio:3 » (or « rest ») → channel weights; unknown names are refused."""
    weights: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, weight = part.partition(":")
        if name not in CHANNEL_WEIGHTS:
            raise ValueError(f"unknown channel {name!r}")
        weights[name] = int(weight or CHANNEL_WEIGHTS[name])
        if weights[name] <= 0:
            raise ValueError(f"weight of {name!r} must be positive")
    if not weights:
        raise ValueError("no channel")
    return weights
