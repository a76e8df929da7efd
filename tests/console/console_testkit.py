"""Shared by the console tests: conversations written through Rasa's own tracker store, a
logged-in staff client; the console is served like the portal (tests/portal's `served`)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

import httpx
from argon2 import PasswordHasher

from tests.portal.portal_testkit import free_port, served

__all__ = ["free_port", "served"]

DAY = 86400.0
STAFF_LOGIN = "agent.support"
STAFF_PASSWORD = "Console-support-2026"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
IBAN = "FR7630006000011234567890189"
EMAIL = "jeanne.dupont@example.fr"
XSS = "<script>alert('pirate')</script>"


@dataclass
class Say:
    """A user message of a scripted conversation."""

    text: str
    intent: str
    entities: tuple[tuple[str, str], ...] = ()


def build_events(
    start: float,
    channel: str,
    steps: list[Any],
    metadata: dict[str, Any] | None = None,
    step_seconds: float = 30.0,
) -> list[Any]:
    """Rasa events of a conversation: a Say is a user turn, ("bot", text, response,
    buttons) a bot answer, ("action", name), ("form", name|None), ("slot", name, value)."""
    from rasa.shared.core.events import (
        ActionExecuted,
        ActiveLoop,
        BotUttered,
        SessionStarted,
        SlotSet,
        UserUttered,
    )

    now = start
    events: list[Any] = [
        ActionExecuted("action_session_start", timestamp=now),
        SessionStarted(timestamp=now),
        ActionExecuted("action_listen", timestamp=now),
    ]
    for step in steps:
        now += step_seconds
        if isinstance(step, Say):
            entities = [{"entity": e, "value": v} for e, v in step.entities]
            events.append(
                UserUttered(
                    step.text,
                    intent={"name": step.intent, "confidence": 0.97},
                    entities=entities,
                    input_channel=channel,
                    metadata=metadata or {},
                    timestamp=now,
                )
            )
        elif step[0] == "bot":
            _, text, response, buttons = (*step, [])[:4]
            events.append(
                BotUttered(
                    text,
                    data={"buttons": [{"title": b, "payload": f"/{b}"} for b in buttons]},
                    metadata={"utter_action": response},
                    timestamp=now,
                )
            )
        elif step[0] == "action":
            events.append(ActionExecuted(step[1], timestamp=now))
        elif step[0] == "form":
            events.append(ActiveLoop(step[1], timestamp=now))
        elif step[0] == "slot":
            events.append(SlotSet(step[1], step[2], timestamp=now))
    events.append(ActionExecuted("action_listen", timestamp=now + 1))
    return events


async def write_conversations(path: str, conversations: dict[str, list[Any]]) -> None:
    """Saved with Rasa's SQLTrackerStore, exactly as the Rasa server stores them."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.trackers import DialogueStateTracker

    store = SQLTrackerStore(dialect="sqlite", db=path)
    for sender, events in conversations.items():
        await store.save(DialogueStateTracker.from_events(sender, events))
    store.engine.dispose()


def scenario(now: float) -> dict[str, list[Any]]:
    """Six conversations covering every channel, outcome, identity and age."""
    reset_steps = [
        Say("j'ai oublié mon mot de passe", "forgot_password"),
        ("action", "reset_form"),
        ("form", "reset_form"),
        ("bot", "Êtes-vous affilié ou ayant droit ?", "utter_ask_profile", ["Affilié"]),
    ]
    return {
        "web-anonyme-reinitialisation": build_events(
            now - 10 * DAY,
            "socketio",
            [
                *reset_steps,
                Say("affilié, numéro 1234567", "inform", (("dossier_number", "1234567"),)),
                ("action", "reset_form"),
                ("slot", "dossier_number", "1234567"),
                ("form", None),
                ("action", "action_reset_deliver"),
                (
                    "bot",
                    "Un e-mail vous a été envoyé à j****t@e******.fr.",
                    "utter_reset_email_sent",
                ),
            ],
        ),
        "web-connecte-arret": build_events(
            now - 5 * DAY,
            "socketio",
            [
                *reset_steps,
                Say("stop", "stop"),
                ("action", "action_deactivate_loop"),
                ("form", None),
                ("action", "action_cancel_procedure"),
                ("bot", "Démarche annulée.", "utter_procedure_cancelled"),
            ],
            metadata={"portal_token": "eyJ.secret.token"},
        ),
        "ivr-conseiller": build_events(
            now - 2 * DAY,
            "ivr",
            [
                Say("je veux parler à un conseiller, dossier 76 54 321", "human_handoff"),
                ("action", "action_human_handoff"),
                ("bot", "Votre demande CONS-1 est transmise.", "utter_handoff_created"),
            ],
        ),
        "rest-ancienne": build_events(
            now - 400 * DAY,
            "rest",
            [
                Say("quel est votre numéro de téléphone ?", "contact"),
                ("action", "action_contact"),
                ("bot", "Appelez le 01 30 48 10 00.", "utter_contact_details"),
            ],
        ),
        "rest-injection": build_events(
            now - 1 * DAY,
            "rest",
            [
                Say(f"{XSS} mon IBAN est {IBAN} et mon e-mail {EMAIL}", "change_rib"),
                (
                    "bot",
                    "Pour changer de RIB, rendez-vous dans votre Espace Personnel.",
                    "utter_change_rib",
                ),
            ],
        ),
        "rest-reprise": [
            *build_events(now - 400 * DAY, "rest", [Say("bonjour", "greet")]),
            *build_events(now - 0.5 * DAY, "rest", reset_steps)[2:],
        ],
    }


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


async def log_in(
    client: httpx.AsyncClient, login: str = STAFF_LOGIN, password: str = STAFF_PASSWORD
) -> str:
    """Logs in through the form like a browser; returns the session's CSRF token."""
    form = await client.get("/login")
    token = CSRF_RE.search(form.text)
    assert token, form.text
    answer = await client.post(
        "/login", data={"login": login, "password": password, "csrf_token": token.group(1)}
    )
    assert answer.status_code == 303, answer.text
    page = await client.get("/conversations")
    assert page.status_code == 200
    found = CSRF_RE.search(page.text)
    assert found
    return found.group(1)


def now() -> float:
    return time.time()
