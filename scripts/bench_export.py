"""Benchmark of `carpimko transcripts export`: N synthetic conversations, each format timed.

    .venv/bin/python scripts/bench_export.py [--conversations 10000] [--keep DIR]

Builds a scratch tracker store with Rasa's own table (SQLTrackerStore) and events serialised
by Rasa (`Event.as_dict()`), like the Rasa server writes them: web, IVR and REST
conversations of 8 to 20 events, a third of them carrying an IBAN, an e-mail, a phone number
or a numéro de dossier to mask. Then runs the installed CLI end to end (process start
included) for jsonl, csv and html and prints wall-clock seconds, rows and output size.
Target (issue 8): 10 000 conversations in ≤ 10 s. Figures go to docs/console.md.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHANNELS = ("socketio", "socketio", "ivr", "rest")
PLAIN = [
    "bonjour",
    "j'ai oublié mon mot de passe",
    "je voudrais mon attestation fiscale",
    "comment changer mon adresse ?",
    "quels sont vos horaires ?",
    "je veux parler à un conseiller",
    "merci beaucoup",
    "au revoir",
    "je n'arrive pas à me connecter",
    "où trouver mes bordereaux de paiement",
]
INTENTS = ["greet", "forgot_password", "tax_certificate", "change_address", "contact",
           "human_handoff", "thank", "goodbye", "login_problem", "payment_slips"]  # fmt: skip


def personal(rng: random.Random) -> str:
    """A message with something to mask (varied, so the masking cache cannot help)."""
    kind = rng.randrange(4)
    if kind == 0:
        return f"mon numéro de dossier est {rng.randrange(1_000_000, 9_999_999)}"
    if kind == 1:
        return f"mon e-mail est prenom.nom{rng.randrange(100000)}@example.fr"
    if kind == 2:
        return f"rappelez-moi au 06 {rng.randrange(10, 99)} {rng.randrange(10, 99)} 45 67"
    bban = "".join(str(rng.randrange(10)) for _ in range(23))
    return f"nouvel IBAN FR76{bban}"


def conversation(rng: random.Random, start: float) -> tuple[str, list[Any]]:
    from rasa.shared.core.events import (
        ActionExecuted,
        ActiveLoop,
        BotUttered,
        SessionStarted,
        SlotSet,
        UserUttered,
    )

    channel = rng.choice(CHANNELS)
    now = start
    events: list[Any] = [
        ActionExecuted("action_session_start", timestamp=now),
        SessionStarted(timestamp=now),
        ActionExecuted("action_listen", timestamp=now),
    ]
    for turn in range(rng.randint(2, 5)):
        now += rng.uniform(5, 60)
        index = rng.randrange(len(PLAIN))
        text = personal(rng) if rng.random() < 0.33 and turn else PLAIN[index]
        events.append(
            UserUttered(
                text,
                intent={"name": INTENTS[index], "confidence": 0.9},
                input_channel=channel,
                timestamp=now,
            )
        )
        if INTENTS[index] == "forgot_password":
            events += [ActionExecuted("reset_form", timestamp=now), ActiveLoop("reset_form")]
            events.append(SlotSet("reset_reason", "forgot_password", timestamp=now))
        events.append(ActionExecuted(f"utter_{INTENTS[index]}", timestamp=now + 0.2))
        events.append(
            BotUttered(
                f"Réponse de l'assistant pour {INTENTS[index]}.",
                data={"buttons": [{"title": "Oui", "payload": "/affirm"}]},
                metadata={"utter_action": f"utter_{INTENTS[index]}"},
                timestamp=now + 0.2,
            )
        )
        events.append(ActionExecuted("action_listen", timestamp=now + 0.3))
    return channel, events


def build(path: Path, count: int, seed: int = 7) -> int:
    """Writes `count` conversations into a new tracker store; returns the number of events."""
    from rasa.core.tracker_store import SQLTrackerStore

    from carpimko.nlu.privacy import event_row

    store = SQLTrackerStore(dialect="sqlite", db=str(path))
    table = store.SQLEvent.__table__
    rng = random.Random(seed)
    start = time.time() - 30 * 86400
    rows: list[dict[str, Any]] = []
    total = 0
    with store.engine.begin() as connection:
        for number in range(count):
            _, events = conversation(rng, start + number * 200)
            for event in events:
                rows.append(event_row(f"bench-{number:06d}", event))
            if len(rows) > 20000:
                connection.execute(table.insert(), rows)
                total += len(rows)
                rows = []
        if rows:
            connection.execute(table.insert(), rows)
            total += len(rows)
    store.engine.dispose()
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--keep", help="folder to keep the scratch store and exports in")
    args = parser.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="bench-export-"))
    folder.mkdir(parents=True, exist_ok=True)
    store = folder / "tracker.sqlite3"
    store.unlink(missing_ok=True)
    began = time.perf_counter()
    events = build(store, args.conversations)
    size = store.stat().st_size / 1e6
    built = time.perf_counter() - began
    print(
        f"store: {args.conversations} conversations, {events} events, {size:.1f} MB ({built:.0f} s)"
    )
    cli = Path(sys.executable).with_name("carpimko")
    env = {
        "CONSOLE_TRACKER_URL": f"sqlite:///{store}",
        "CONSOLE_DATABASE_URL": f"sqlite:///{folder / 'console.sqlite3'}",
        "PATH": "/usr/bin:/bin",
        "CARPIMKO_DEMO": "1",  # generated data, as the test stacks: no production keys
    }
    since = (date.today() - timedelta(days=60)).isoformat()
    for fmt in ("jsonl", "csv", "html"):
        out = folder / f"export.{fmt}"
        began = time.perf_counter()
        cpu = os.times()
        subprocess.run(
            [str(cli), "transcripts", "export", "--since", since, "--format", fmt, "-o", str(out)],
            check=True, env=env, cwd=ROOT, capture_output=True,
        )  # fmt: skip
        seconds = time.perf_counter() - began
        after = os.times()
        used = (after.children_user - cpu.children_user) + (
            after.children_system - cpu.children_system
        )
        lines = sum(1 for _ in out.open(encoding="utf-8"))
        size = out.stat().st_size / 1e6
        print(f"{fmt:5s}: {seconds:5.2f} s wall, {used:5.2f} s CPU, {lines} lines, {size:.1f} MB")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.keep is None:
        for file in folder.iterdir():
            file.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
