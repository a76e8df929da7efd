"""No secret or personal data in the logs or the tracker store.

Conversations carrying an IBAN, an e-mail address, a phone number and a password-like string
go through REST and socket.io; then every log file of the stack (portal, action server, Rasa,
demo site — including what the earlier modules logged while faults were injected) and every
event of the tracker store are searched for those values, in every written form.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import httpx
import socketio
import sqlalchemy as sa
from stacklib import VENV_BIN, Stack, new_sender, texts

from console import tracker

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
    assert "FR76 **** **** 7871" in events
    assert "[mot de passe masqu" in events  # (JSON escapes the é)


RIB_SPELLINGS = [
    "FR 76 3000 6000 0112 3456 7890 189",
    "FR76  3000  6000  0112  3456  7890  189",
    "FR76 30006 00001 12345678901 89",
]
TYPED_PASSWORD = "Carpimko@2024"


def logged_in(stack: Stack, sender: str, text: str) -> list[dict[str, Any]]:
    """One REST turn of Sophie Bernard, logged into her Espace Personnel."""
    with httpx.Client(base_url=stack.portal_url, timeout=30) as client:
        session = client.post(
            "/api/v1/sessions",
            json={"profile": "affilie", "dossier_number": "7654321", "password": "Carpimko2024"},
        )
    assert session.status_code == 201, session.text
    response = httpx.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        json={
            "sender": sender,
            "message": text,
            "metadata": {"portal_token": session.json()["token"]},
        },
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return list(response.json())


def test_a_rib_change_keeps_the_iban_only_sealed(stack: Stack) -> None:
    """Every spelling of the IBAN, and a password typed as a form's answer, are masked in the
    store; the value the procedure needs is kept sealed until it is sent, and never in clear."""
    sender = new_sender()
    said = [texts(logged_in(stack, sender, "je veux changer de RIB"))]
    said.append(texts(logged_in(stack, sender, TYPED_PASSWORD)))  # typed instead of the IBAN
    for spelling in RIB_SPELLINGS:
        said.append(texts(logged_in(stack, sender, spelling)))
        said.append(texts(logged_in(stack, sender, "non")))  # the summary refused: ask again
        said.append(texts(logged_in(stack, sender, "je veux changer de RIB")))
    assert "FR76 **** **** 0189" in "\n".join(said)
    events = stack.postgres.query(f"SELECT data FROM events WHERE sender_id = '{sender}'")
    compact = "FR7630006000011234567890189"
    leaks = [s for s in [*RIB_SPELLINGS, compact, compact[4:-4], TYPED_PASSWORD] if s in events]
    assert not leaks, leaks
    assert "sealed:v1:" in events  # what the form kept for the portal, unreadable without the key
    assert "FR76 **** **** 0189" in events


def test_privacy_scan_reads_the_stores_and_logs(stack: Stack, tmp_path: Path) -> None:
    """`carpimko privacy scan` finds nothing in clear in what this suite's conversations left
    (PostgreSQL tracker store, console database, every log), and is red on a planted IBAN."""
    pg = stack.postgres.url_parts
    scan = [
        str(VENV_BIN / "carpimko"), "privacy", "scan",
        "--tracker", f"postgresql://{pg['username']}@127.0.0.1:{pg['port']}/{pg['db']}",
        "--console", f"sqlite:///{stack.log_dir.parent / 'console.sqlite3'}",
        "--logs", str(stack.log_dir),
    ]  # fmt: skip
    demo = {**os.environ, "CARPIMKO_DEMO": "1"}  # the CLI needs no portal key for a scan
    clean = subprocess.run(scan, capture_output=True, text=True, check=False, env=demo)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Aucune donnée personnelle en clair" in clean.stdout

    planted = tmp_path / "planted.sqlite3"
    engine = sa.create_engine(f"sqlite:///{planted}")
    tracker.metadata.create_all(engine)
    row = {"event": "user", "text": "mon iban FR76 3000 4008 2600 0123 4567 871", "parse_data": {}}
    with engine.begin() as connection:
        connection.execute(
            tracker.events.insert(),
            {"sender_id": "planted", "type_name": "user", "data": json.dumps(row)},
        )
    engine.dispose()
    red = subprocess.run(
        [*scan[:3], "--tracker", f"sqlite:///{planted}", "--logs"],
        capture_output=True, text=True, check=False, env=demo,
    )  # fmt: skip
    assert red.returncode == 1
    assert "IBAN en clair : conversation planted" in red.stdout
    assert "4008" not in red.stdout  # the report itself masks
