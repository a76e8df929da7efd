"""Benchmark of the phone channel: time per turn of whole calls replayed through the webhook.

    .venv/bin/python scripts/bench_ivr.py [--calls 40] [--concurrency 2] [--model FILE]

Starts Redis, the portal (demo data, clock inside opening hours), the action server and Rasa
with the trained model on free loopback ports. Rasa uses Redis as its lock store, so the phone
channel keeps each call's state there, out of the process, as in production (docs/scaling.md).
Replays phone calls the way Twilio places them: the first request on the voice URL, every later
one on the ``action`` of the last ``<Gather>`` or ``<Dial>``, each signed (X-Twilio-Signature
checked by the channel). Prints p50/p95/p99/max per turn and per kind of turn. Every answer is
parsed as XML; a turn that fails counts as an error. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from urllib.parse import urljoin

import httpx
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
OPEN = "2025-11-12T10:00:00+01:00"
AUTH_TOKEN = "bench-twilio-auth-token"
# (kind of turn, form fields) — each call is one list, replayed in order.
CALLS: list[list[tuple[str, dict[str, str]]]] = [
    [  # forgotten password on the keypad, link by e-mail
        ("start", {}),
        ("key: menu", {"Digits": "1"}),
        ("key: profile", {"Digits": "1"}),
        ("keypad dossier", {"Digits": "1234567#"}),
        ("keypad postal code (portal x2)", {"Digits": "69003#"}),
        ("key: e-mail (portal)", {"Digits": "1"}),
        ("speech: goodbye", {"SpeechResult": "au revoir", "Confidence": "0.9"}),
    ],
    [  # the same spoken, letter by post
        ("start", {}),
        ("speech: intent", {"SpeechResult": "j'ai oublié mon mot de passe", "Confidence": "0.9"}),
        ("speech: profile", {"SpeechResult": "affilié", "Confidence": "0.9"}),
        ("spoken dossier", {"SpeechResult": "un deux trois quatre cinq six sept"}),
        ("spoken postal code (portal x2)", {"SpeechResult": "six neuf zéro zéro trois"}),
        ("speech: post (portal)", {"SpeechResult": "par courrier", "Confidence": "0.9"}),
    ],
    [  # contact, then an advisor (transfer during opening hours)
        ("start", {}),
        ("speech: contact (portal)", {"SpeechResult": "quels sont vos horaires"}),
        ("speech: handoff (portal x2)", {"SpeechResult": "je veux parler à un conseiller"}),
        ("dial: no answer", {"DialCallStatus": "no-answer"}),
        ("speech: goodbye", {"SpeechResult": "au revoir", "Confidence": "0.9"}),
    ],
    [  # silences
        ("start", {}),
        ("silence", {}),
        ("silence", {}),
        ("silence: goodbye", {}),
    ],
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


class Stack:
    """Portal, action server and Rasa as subprocesses on free ports."""

    def __init__(self, model: Path, workdir: Path) -> None:
        self.rasa_port, action_port, portal_port = free_port(), free_port(), free_port()
        redis_port = free_port()
        # endpoints.yml plus Rasa's Redis lock store: the phone channel then keeps call state
        # in that Redis (carpimko/channels/ivr_state.py), out of the process.
        endpoints = workdir / "endpoints.yml"
        endpoints.write_text(
            (ROOT / "endpoints.yml").read_text("utf-8")
            + f"\nlock_store:\n  type: redis\n  url: 127.0.0.1\n  port: {redis_port}\n"
            "  db: 0\n  key_prefix: carpimko\n",
            "utf-8",
        )
        self.portal_url = f"http://127.0.0.1:{portal_port}"
        self.health = [
            f"{self.portal_url}/health",
            f"http://127.0.0.1:{action_port}/health",
            f"http://127.0.0.1:{self.rasa_port}/webhooks/ivr/",
        ]
        env = {
            **os.environ,
            "CARPIMKO_DEMO": "1",  # demo data and keys, as `make run`
            "PORTAL_PORT": str(portal_port),
            "PORTAL_HOST": "127.0.0.1",
            "PORTAL_URL": self.portal_url,
            "PORTAL_DATABASE_URL": f"sqlite:///{workdir / 'portal.sqlite3'}",
            "PORTAL_CLOCK_START": OPEN,
            # Many replays of the same dossiers: lift the per-dossier limits for the benchmark.
            "PORTAL_RATE_RESET_DOSSIER": "100000/3600",
            "PORTAL_RATE_RESET_CLIENT": "100000/3600",
            "PORTAL_RATE_IDENTITY_DOSSIER": "100000/3600",
            "PORTAL_RATE_IDENTITY_CLIENT": "100000/3600",
            # Every call comes from this one loopback client: the phone channel's own limits
            # (per call, per client address, carpimko/channels/limits.py) are lifted too.
            "CARPIMKO_RATE_SENDER": "100000/60",
            "CARPIMKO_RATE_CLIENT": "100000/60",
            "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
            # endpoints.yml expands it; `make` exports it (empty: no check), a direct run may not.
            "ACTION_SERVER_TOKEN": os.environ.get("ACTION_SERVER_TOKEN", ""),
            "TRACKER_DB": str(workdir / "tracker.sqlite3"),
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SANIC_HOST": "127.0.0.1",
            "IVR_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "IVR_TWILIO_SIGNATURE": "on",
        }
        venv = ROOT / ".venv" / "bin"
        commands = [
            ["redis-server", "--bind", "127.0.0.1", "--port", str(redis_port), "--save", "",
             "--appendonly", "no", "--dir", str(workdir)],
            [str(venv / "python"), "-m", "portal"],
            [str(venv / "rasa"), "run", "actions", "--actions", "actions", "--port",
             str(action_port)],
            [str(venv / "rasa"), "run", "--model", str(model), "--port", str(self.rasa_port),
             "--interface", "127.0.0.1", "--credentials", "credentials.yml", "--endpoints",
             str(endpoints)],
        ]  # fmt: skip
        self.logs = workdir
        self.processes = [
            subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=(workdir / f"service{i}.log").open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            for i, command in enumerate(commands)
        ]

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}/webhooks/ivr/webhook"

    def wait(self, limit: float = 400) -> None:
        deadline = time.monotonic() + limit
        for url in self.health:
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(url, timeout=2).status_code < 500:
                        break
                if time.monotonic() > deadline or any(p.poll() is not None for p in self.processes):
                    # The folder goes with the run: show the end of each service's log.
                    tails = "\n".join(
                        f"== {log.name}\n"
                        + "\n".join(log.read_text("utf-8", "replace").splitlines()[-8:])
                        for log in sorted(self.logs.glob("service*.log"))
                    )
                    raise SystemExit(f"{url} ne répond pas :\n{tails}")
                time.sleep(0.5)

    def stop(self) -> None:
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)


async def replay(
    client: httpx.AsyncClient, webhook: str, call: list[tuple[str, dict[str, str]]]
) -> list[tuple[str, float, bool]]:
    sid = f"CA{uuid.uuid4().hex}"
    caller = f"+336{uuid.uuid4().int % 10**8:08d}"
    validator = RequestValidator(AUTH_TOKEN)
    timings = []
    url, status = webhook, "ringing"
    for kind, fields in call:
        form = {"CallSid": sid, "From": caller, "CallStatus": status, **fields}
        headers = {"X-Twilio-Signature": validator.compute_signature(url, form)}
        started = time.perf_counter()
        ok = True
        try:
            response = await client.post(url, data=form, headers=headers)
            document = ET.fromstring(response.content)
            ok = response.status_code == 200
        except (httpx.HTTPError, ET.ParseError):
            ok = False
        timings.append((kind, (time.perf_counter() - started) * 1000, ok))
        if not ok:
            break
        # Twilio's rule: the next request goes to the action of the Gather or Dial.
        verb = document.find("Gather")
        verb = verb if verb is not None else document.find("Dial")
        url = urljoin(url, verb.get("action") or url) if verb is not None else url
        status = "in-progress"
    return timings


async def run(webhook: str, calls: int, concurrency: int) -> list[tuple[str, float, bool]]:
    queue = [CALLS[i % len(CALLS)] for i in range(calls)]
    results: list[tuple[str, float, bool]] = []
    async with httpx.AsyncClient(timeout=30) as client:
        # Warm-up call per scenario (model caches, first TensorFlow graph run), not counted.
        for call in CALLS:
            await replay(client, webhook, call)

        async def worker() -> None:
            while queue:
                results.extend(await replay(client, webhook, queue.pop()))

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return results


def channel_cost(rounds: int = 20) -> tuple[float, float]:
    """The channel's own work per turn, in process: speech rendering of a whole turn, keypad
    menu and TwiML, for every response of the domain (median and p95, ms per response)."""
    import yaml

    sys.path.insert(0, str(ROOT))
    from carpimko import facts
    from carpimko.channels.ivr import CallState, IVRInput

    responses = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))["responses"]
    messages = [
        [
            {
                k: facts.fill(v) if k == "text" else v
                for k, v in variant.items()
                if k in ("text", "buttons", "custom")
            }
        ]
        for variants in responses.values()
        for variant in variants
    ]
    channel = IVRInput(check_signature=False)
    timings = []
    for _ in range(rounds):
        for turn_messages in messages:
            started = time.perf_counter()
            channel.twiml(channel.render(turn_messages, CallState()), 1)
            timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), percentile(timings, 95)


def report(results: list[tuple[str, float, bool]], args: argparse.Namespace) -> str:
    times = [ms for _, ms, _ in results]
    errors = sum(not ok for _, _, ok in results)
    by_kind: dict[str, list[float]] = defaultdict(list)
    for kind, ms, _ in results:
        by_kind[kind].append(ms)
    lines = [
        f"Command: `.venv/bin/python scripts/bench_ivr.py --calls {args.calls} "
        f"--concurrency {args.concurrency}`",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU, Python "
        f"{platform.python_version()}, load average {os.getloadavg()[0]:.2f} at the end",
        f"Turns: {len(times)} in {args.calls} calls, {errors} errors",
        "",
        "| turn | n | p50 ms | p95 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| **all turns** | {len(times)} | {statistics.median(times):.0f} | "
        f"{percentile(times, 95):.0f} | {max(times):.0f} |",
    ]
    for kind, values in sorted(by_kind.items(), key=lambda kv: -percentile(kv[1], 95)):
        lines.append(
            f"| {kind} | {len(values)} | {statistics.median(values):.0f} | "
            f"{percentile(values, 95):.0f} | {max(values):.0f} |"
        )
    lines.append(f"\np99 of all turns: {percentile(times, 99):.0f} ms")
    median, p95 = channel_cost()
    lines.append(
        f"Channel's own work per turn (speech rendering + keypad menu + TwiML, in process, "
        f"every domain response): p50 {median:.2f} ms, p95 {p95:.2f} ms"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "carpimko.tar.gz")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ivr-") as tmp:
        stack = Stack(args.model, Path(tmp))
        try:
            stack.wait()
            results = asyncio.run(run(stack.webhook, args.calls, args.concurrency))
        finally:
            stack.stop()
    print(report(results, args))
    return 1 if any(not ok for _, _, ok in results) else 0


if __name__ == "__main__":
    sys.exit(main())
