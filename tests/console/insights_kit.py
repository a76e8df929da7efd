"""Conversations for the insights tests, as Rasa stores them (console_testkit.build_events):
one of each category, a procedure funnel, the phone line, the 24-hour rule."""

from __future__ import annotations

from typing import Any

from console_testkit import DAY, IBAN, Say, build_events

ASK_PROFILE = [
    ("action", "reset_form"),
    ("form", "reset_form"),
    ("slot", "requested_slot", "profile"),
]
NOT_UNDERSTOOD = "zorglub frimousse tartempion"


def reset_steps(until: str) -> list[Any]:
    """The password reset up to `until`: profile, dossier, channel, done."""
    steps: list[Any] = [Say("mot de passe oublié", "forgot_password"), *ASK_PROFILE]
    if until == "profile":
        return steps
    steps += [Say("affilié", "inform"), ("slot", "profile", "affilie"),
              ("slot", "requested_slot", "dossier_number")]  # fmt: skip
    if until == "dossier":
        return steps
    steps += [Say("1234567", "inform"), ("slot", "dossier_number", "1234567"),
              ("slot", "requested_slot", "delivery_channel")]  # fmt: skip
    if until == "channel":
        return steps
    return [*steps, Say("par e-mail", "inform"), ("slot", "requested_slot", None), ("form", None),
            ("action", "action_reset_deliver"),
            ("bot", "C'est fait.", "utter_reset_email_sent")]  # fmt: skip


def transfer(timestamp: float) -> Any:
    """What action_human_handoff sends on the phone during opening hours."""
    from rasa.shared.core.events import BotUttered

    custom = {"ivr": {"transfer": "+33130481000"}}
    return BotUttered(None, data={"custom": custom}, timestamp=timestamp)


def conversations(now: float) -> dict[str, list[Any]]:
    """Nine conversations on the day before `now` (UTC), one hour apart."""
    start = now - DAY

    def at(hour: float) -> float:
        return start + hour * 3600

    stop = [Say("stop", "stop"), ("action", "action_deactivate_loop"), ("form", None),
            ("action", "action_cancel_procedure")]  # fmt: skip
    return {
        "rest-horaires": build_events(at(0), "rest", [
            Say("quels sont vos horaires ?", "contact"),
            ("bot", "Pour joindre la CARPIMKO…", "utter_contact_details")]),
        "web-reset-fait": build_events(at(1), "socketio", reset_steps("done")),
        "web-reset-stop": build_events(at(2), "socketio", [*reset_steps("dossier"), *stop]),
        "web-reset-parti": build_events(at(3), "socketio", reset_steps("profile")),
        "rest-reset-repris": build_events(at(4), "rest", reset_steps("channel")),
        "rest-conseiller": build_events(at(5), "rest", [
            Say("je veux parler à un conseiller", "human_handoff"),
            ("action", "action_human_handoff"),
            ("bot", "C'est noté.", "utter_handoff_created")]),
        "rest-incompris": build_events(at(6), "rest", [
            Say(f"{NOT_UNDERSTOOD} {IBAN}", "nlu_fallback"),
            ("bot", "Je ne suis pas sûr d'avoir compris.", "utter_did_you_mean"),
            Say("blabla", "greet"),
            ("bot", "Je ne suis pas sûr d'avoir compris.", "utter_default")]),
        "ivr-transfert": [*build_events(at(7), "ivr", [
            Say("/greet", "greet"), Say("un conseiller", "human_handoff"),
            ("action", "action_human_handoff")], metadata={"client_id": "appelant-1"}),
            transfer(at(7) + 120)],
        "ivr-raccroche": build_events(at(8), "ivr", reset_steps("profile")),
    }  # fmt: skip
