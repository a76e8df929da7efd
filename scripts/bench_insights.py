"""Benchmark of the « Tableau de bord »: N generated conversations, the page timed.

    .venv/bin/python scripts/bench_insights.py [--conversations 100000] [--keep DIR]

Fills a scratch SQLite tracker store with Rasa's own table and events (``Event.as_dict()``,
as the Rasa server writes them) spread over the last 60 days: web, phone and REST; questions
answered, password resets stopped at each question or done, handoffs (with phone transfers),
not-understood messages (varied, so the grouping has work), the same members coming back.
Then, end to end through the installed programs:

1. ``carpimko insights --refresh-only``: the first build of the summary (all conversations);
2. ``python -m console`` on a free port, a staff member logged in, ``GET /dashboard`` for the
   default period (30 days) and for 60 days (every conversation), each 5 times;
3. 100 new conversations written, then ``GET /dashboard`` again (incremental refresh
   included in the request).

Target (issue 21): the page in ≤ 2 s over 100 000 conversations. Figures go to
docs/console.md.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DAY = 86400.0
WORDS = (
    "zorglub",
    "frimousse",
    "tartempion",
    "bidule",
    "machin",
    "truc",
    "chose",
    "pouet",
    "météo",
    "recette",
    "football",
    "vacances",
    "voiture",
    "loto",
    "horoscope",
    "musique",
)
RESET_QUESTIONS = ("profile", "dossier_number", "delivery_channel")
LOGIN, PASSWORD = "bench.insights", "Bench-insights-2026"


def _user(text: str, intent: str, channel: str, at: float, **metadata: Any) -> Any:
    from rasa.shared.core.events import UserUttered

    return UserUttered(
        text,
        intent={"name": intent, "confidence": 0.9},
        input_channel=channel,
        metadata=metadata,
        timestamp=at,
    )


def _bot(text: str, response: str, at: float, **data: Any) -> Any:
    from rasa.shared.core.events import BotUttered

    return BotUttered(text, data=data, metadata={"utter_action": response}, timestamp=at)


def conversation(rng: random.Random, start: float) -> list[Any]:
    """One conversation of a random kind (weights close to a support line's)."""
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, SessionStarted, SlotSet

    channel = rng.choice(("socketio", "socketio", "ivr", "rest"))
    at = start
    events: list[Any] = [
        ActionExecuted("action_session_start", timestamp=at),
        SessionStarted(timestamp=at),
        ActionExecuted("action_listen", timestamp=at),
    ]
    if channel == "ivr":
        events.append(_user("/greet", "greet", channel, at, client_id=f"c{rng.randrange(5000)}"))
    kind = rng.choices(("answer", "reset", "handoff", "unclear"), (45, 30, 12, 13))[0]
    at += 20
    if kind == "answer":
        intent = rng.choice(("contact", "tax_certificate", "payment_slips", "contributions"))
        events += [
            _user(f"question {intent}", intent, channel, at),
            _bot("Voici la réponse.", f"utter_{intent}", at + 1),
        ]
    elif kind == "handoff":
        events += [
            _user("je veux parler à un conseiller", "human_handoff", channel, at),
            ActionExecuted("action_human_handoff", timestamp=at + 1),
        ]
        if channel == "ivr" and rng.random() < 0.7:
            events.append(
                _bot(
                    "",
                    "utter_handoff_transfer",
                    at + 2,
                    custom={"ivr": {"transfer": "+33130481000"}},
                )
            )
        else:
            events.append(_bot("C'est noté.", "utter_handoff_created", at + 2))
    elif kind == "unclear":
        text = " ".join(rng.sample(WORDS, 3))
        events += [
            _user(text, "nlu_fallback", channel, at),
            _bot("Je ne suis pas sûr d'avoir compris.", "utter_did_you_mean", at + 1),
        ]
    else:
        events += [
            _user("mot de passe oublié", "forgot_password", channel, at),
            ActionExecuted("reset_form", timestamp=at),
            ActiveLoop("reset_form", timestamp=at),
        ]
        reached = rng.choices((1, 2, 3, 4), (15, 15, 10, 60))[0]
        for index, slot in enumerate(RESET_QUESTIONS[:reached]):
            at += 15
            events.append(SlotSet("requested_slot", slot, timestamp=at))
            events.append(_bot("Question ?", f"utter_ask_{slot}", at))
            if index + 1 < reached:
                value = (
                    f"{rng.randrange(1_000_000, 1_020_000)}" if slot == "dossier_number" else "x"
                )
                events += [
                    _user(value, "inform", channel, at + 10),
                    SlotSet(slot, value, timestamp=at + 10),
                ]
        if reached == 4:
            events += [
                ActiveLoop(None, timestamp=at + 20),
                ActionExecuted("action_reset_deliver", timestamp=at + 20),
                _bot("C'est fait.", "utter_reset_email_sent", at + 21),
            ]
        elif rng.random() < 0.3:
            events += [
                _user("stop", "stop", channel, at + 20),
                ActionExecuted("action_deactivate_loop", timestamp=at + 21),
                ActiveLoop(None, timestamp=at + 21),
                ActionExecuted("action_cancel_procedure", timestamp=at + 21),
            ]
    events.append(ActionExecuted("action_listen", timestamp=at + 30))
    return events


def write(path: Path, count: int, first: int, start: float, span: float, seed: int) -> int:
    """Appends `count` conversations (ids from `first`) to the store; returns the events."""
    from rasa.core.tracker_store import SQLTrackerStore

    from carpimko.nlu.privacy import event_row

    store = SQLTrackerStore(dialect="sqlite", db=str(path))
    table = store.SQLEvent.__table__
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    total = 0
    with store.engine.begin() as connection:
        for number in range(first, first + count):
            for event in conversation(rng, start + rng.random() * span):
                rows.append(event_row(f"bench-{number:07d}", event))
            if len(rows) > 20000:
                connection.execute(table.insert(), rows)
                total, rows = total + len(rows), []
        if rows:
            connection.execute(table.insert(), rows)
            total += len(rows)
    store.engine.dispose()
    return total


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def console_env(store: Path, console_db: Path) -> dict[str, str]:
    """The console and the CLI over these databases, on a free port."""
    return {
        "PATH": "/usr/bin:/bin",
        "CONSOLE_TRACKER_URL": f"sqlite:///{store}",
        "CONSOLE_DATABASE_URL": f"sqlite:///{console_db}",
        "CONSOLE_PORT": str(free_port()),
        "CONSOLE_HOST": "127.0.0.1",
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        "CARPIMKO_DEMO": "1",  # generated data, as the test stacks: no production keys
    }


@contextlib.contextmanager
def running_console(env: dict[str, str]) -> Iterator[str]:
    """``python -m console`` with a staff account (LOGIN, PASSWORD); yields its URL."""
    subprocess.run(
        [str(BIN / "carpimko"), "staff", "create", LOGIN, "--password-stdin"],
        input=PASSWORD + "\n",
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    url = f"http://127.0.0.1:{env['CONSOLE_PORT']}"
    console = subprocess.Popen(
        [str(BIN / "python"), "-m", "console"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        console.terminate()
        console.wait(timeout=30)


def log_in(client: httpx.Client) -> None:
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, form
    answer = client.post(
        "/login", data={"login": LOGIN, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert answer.status_code == 303, answer.text


def timed_pages(client: httpx.Client, params: dict[str, str], runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        began = time.perf_counter()
        page = client.get("/dashboard", params=params)
        seconds.append(time.perf_counter() - began)
        assert page.status_code == 200 and "Issue des conversations" in page.text
    return seconds


def describe(label: str, seconds: list[float]) -> None:
    print(
        f"{label}: median {statistics.median(seconds):.2f} s, max {max(seconds):.2f} s "
        f"({len(seconds)} requests)"
    )


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--keep", help="folder to keep the scratch databases in")
    args = parser.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="bench-insights-"))
    folder.mkdir(parents=True, exist_ok=True)
    store, console_db = folder / "tracker.sqlite3", folder / "console.sqlite3"
    store.unlink(missing_ok=True)
    console_db.unlink(missing_ok=True)
    now = time.time()
    began = time.perf_counter()
    events = write(store, args.conversations, 0, now - 60 * DAY, 60 * DAY - 3600, seed=21)
    print(
        f"store: {args.conversations} conversations, {events} events, "
        f"{store.stat().st_size / 1e6:.0f} MB ({time.perf_counter() - began:.0f} s)"
    )
    env = console_env(store, console_db)
    began = time.perf_counter()
    cpu = os.times()
    subprocess.run(
        [str(BIN / "carpimko"), "insights", "--refresh-only"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    after = os.times()
    used = after.children_user - cpu.children_user + after.children_system - cpu.children_system
    print(
        f"first summary build (carpimko insights --refresh-only): "
        f"{time.perf_counter() - began:.1f} s wall, {used:.1f} s CPU"
    )
    with running_console(env) as url, httpx.Client(base_url=url, timeout=120) as client:
        log_in(client)
        timed_pages(client, {}, 1)  # warm-up: imports matplotlib and scikit-learn
        describe("GET /dashboard, 30 days (default)", timed_pages(client, {}, 5))
        since = (date.today() - timedelta(days=60)).isoformat()
        describe("GET /dashboard, 60 days (all)", timed_pages(client, {"since": since}, 5))
        write(store, 100, args.conversations, now - 3600, 3000, seed=22)
        describe(
            "GET /dashboard after 100 new conversations (refresh included)",
            timed_pages(client, {}, 1),
        )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.keep is None:
        for file in folder.iterdir():
            file.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
