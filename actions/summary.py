"""What a handoff or callback ticket says about the conversation: no personal data.

Only intent names, the procedure in progress and whether the user's profile is known are
listed; numbers, e-mails, IBANs and free text never go into a ticket.
"""

from __future__ import annotations

from rasa_sdk import Tracker

PROCEDURES = {
    "reset_form": "réinitialisation du mot de passe / première connexion",
    "callback_form": "demande de rappel",
}
IGNORED_INTENTS = {"greet", "affirm", "deny", "thank", "goodbye", "inform", "nlu_fallback"}


def conversation_summary(tracker: Tracker, max_intents: int = 8) -> str:
    """« Sujets : forgot_password, contact. Démarche en cours : … » (≤ 4000 characters)."""
    intents: list[str] = []
    for event in tracker.events:
        if event.get("event") != "user":
            continue
        name = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if name and name not in IGNORED_INTENTS and name not in intents:
            intents.append(name)
    topics = ", ".join(intents[-max_intents:]) or "aucun"
    parts = [f"Demande d'un conseiller via l'assistant. Sujets : {topics}."]
    loop = (tracker.active_loop or {}).get("name")
    reason = tracker.get_slot("reset_reason")
    if loop in PROCEDURES:
        parts.append(f"Démarche en cours : {PROCEDURES[loop]}.")
    elif reason:
        parts.append(f"Démarche abordée : {reason}.")
    profile = tracker.get_slot("profile")
    if profile in ("affilie", "ayant_droit"):
        parts.append(f"Profil indiqué : {profile}.")
    return " ".join(parts)
