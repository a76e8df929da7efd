"""No secret or personal data in the logs or the tracker store.

Conversations carrying an IBAN, an e-mail address, a phone number and a password-like string
go through REST and socket.io; then every log file of the stack (portal, action server, Rasa,
demo site — including what the earlier modules logged while faults were injected) and every
event of the tracker store are searched for those values, in every written form.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import socketio
from stacklib import Stack, new_sender, texts

IBAN = "FR7630004008260001234567871"
EMAIL = "marie.curie42@exemple-test.fr"
PHONE = "06 71 23 45 89"
PASSWORD = "Tournesol!2024"
CONVERSATION = [
    "bonjour",
    f"mon IBAN est {IBAN[:4]} {IBAN[4:8]} {IBAN[8:12]} {IBAN[12:16]} {IBAN[16:20]} {IBAN[20:]}",
    f"voici mon IBAN {IBAN}",
    f"mon adresse e-mail est {EMAIL}",
    f"vous pouvez m'appeler au {PHONE}",
    f"mon mot de passe est {PASSWORD}",
    f"{PASSWORD}",
    "j'ai oublié mon mot de passe",
    "affilié",
    f"mon e-mail {EMAIL.upper()} et mon téléphone +33 6 71 23 45 89",
]


def forms_of_the_secrets() -> list[str]:
    """Every way a value could appear in a log line or a JSON document."""
    phone_digits = re.sub(r"\D", "", PHONE)
    spaced_iban = " ".join(IBAN[i : i + 4] for i in range(0, len(IBAN), 4))
    return [
        IBAN,
        spaced_iban,
        IBAN[4:-4],
        EMAIL,
        EMAIL.upper(),
        "marie.curie42",
        PHONE,
        phone_digits,
        "+33671234589",
        "6 71 23 45 89",
        PASSWORD,
        PASSWORD.replace("!", "\\u0021"),
    ]


def run_socketio_conversation(stack: Stack) -> list[dict[str, Any]]:
    async def scenario() -> list[dict[str, Any]]:
        client = socketio.AsyncClient(reconnection=False)
        received: list[dict[str, Any]] = []
        client.on("bot_uttered", lambda data: received.append(data))
        await client.connect(stack.rasa_url, socketio_path="/socket.io", transports=["polling"])
        session_id = new_sender()
        await client.emit("session_request", {"session_id": session_id})
        await asyncio.sleep(1)
        for text in CONVERSATION:
            before = len(received)
            await client.emit("user_uttered", {"message": text, "session_id": session_id})
            for _ in range(300):
                if len(received) > before:
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(0.5)
        await client.disconnect()
        return received

    return asyncio.run(scenario())


def test_personal_data_reaches_neither_logs_nor_tracker_store(stack: Stack) -> None:
    sender = new_sender()
    answers = [texts(stack.say(sender, text)) for text in CONVERSATION]
    assert all(answers), "every message gets an answer"
    socket_answers = run_socketio_conversation(stack)
    assert len(socket_answers) >= len(CONVERSATION)
    secrets = forms_of_the_secrets()
    # What the bot said back masks them too.
    echoed = "\n".join(answers + [m.get("text") or "" for m in socket_answers])
    assert not [s for s in secrets if s in echoed]

    leaks: list[str] = []
    logs = sorted(stack.log_dir.glob("*.log"))
    assert {p.stem for p in logs} >= {"portal", "actions", "rasa", "web"}
    for path in logs:
        content = path.read_text(errors="replace")
        leaks += [f"{path.name}: {s!r}" for s in secrets if s in content]
    events = stack.postgres.query("SELECT data FROM events")
    assert sender in stack.postgres.query("SELECT DISTINCT sender_id FROM events")
    leaks += [f"tracker store: {s!r}" for s in secrets if s in events]
    assert not leaks, "personal data found:\n" + "\n".join(leaks)
    # The masked forms are there instead: the conversation stays readable for the support team.
    assert "FR76*******************7871" in events
    assert "[mot de passe masqu" in events  # (JSON escapes the é)
