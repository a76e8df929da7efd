"""Where the time of a turn goes, in one process: cProfile around whole conversations.

    flock /work/wt/heavy.lock .venv/bin/python -m benchmarks.profile_turns [--rounds 5]
        [--dump FILE] [--no-profile]

Starts the portal and the action server on free loopback ports, loads the trained model in
this process with the tracker store and action endpoint of endpoints.yml (SQLite in a temporary
directory), then replays the benchmark's chat conversations (REST channel, guarded as in
production) under cProfile. Prints the mean time per message and the share of each stage of the
message path: NLU, policies, tracker store reads and writes, action server calls, the channel
guard. Used for the before/after figures of docs/benchmarks.md. ``--no-profile`` gives the real
time and the CPU of Rasa's process per message (cProfile roughly doubles Python's time).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import logging
import os
import pstats
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from benchmarks.conversations import ANONYMOUS, LOGGED_IN
from benchmarks.devstack import free_port

ROOT = Path(__file__).resolve().parent.parent
STAGES = {
    "NLU (parse_message)": ("processor.py", "parse_message"),
    "policies (predict_next_with_tracker)": ("processor.py", "_predict_next_with_tracker"),
    "tracker store reads (retrieve)": ("tracker_store.py", "_retrieve"),
    "tracker store writes (save)": ("tracker_store.py", "save"),
    "action server calls (EndpointConfig.request)": ("endpoints.py", "request"),
    "guard: answered? (_bot_answered)": ("guard.py", "_bot_answered"),
    "  RulePolicy": ("rule_policy.py", "predict_action_probabilities"),
}
COUNTS = {
    "policy predictions (next action) per message": ("processor.py", "_predict_next_with_tracker"),
}


def wait(url: str, limit: float = 300) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2):
            return
        time.sleep(0.3)
    raise SystemExit(f"{url} does not answer")


ACTION_CALLS = [0]
"""Calls to the action server during the profiled messages (cProfile counts every resumption
of a coroutine as a call, so async functions are counted here instead)."""


def count_action_calls(agent: Any) -> None:
    endpoint = agent.action_endpoint
    request = endpoint.request

    async def counted(*args: Any, **kwargs: Any) -> Any:
        ACTION_CALLS[0] += 1
        return await request(*args, **kwargs)

    endpoint.request = counted


async def replay(
    rounds: int, portal_url: str, model: Path, profiled: bool = True
) -> tuple[cProfile.Profile, int, float, float]:
    """Replay the conversations; return the profile, the number of messages, and the wall and
    CPU seconds (this process: Rasa's side) spent in them, logins excluded."""
    import httpx
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    from carpimko import rasa_patches
    from carpimko.channels.guard import guard_turns, harden_agent

    rasa_patches.install()  # as carpimko.rasa_server
    configure_logging_and_warnings(logging.INFO)  # as `rasa run` (no debug lines)
    configure_structlog(logging.INFO)

    agent = await load_agent(
        model_path=str(model),
        endpoints=AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml")),
    )
    harden_agent(agent)
    count_action_calls(agent)
    guarded = guard_turns(agent.handle_message, lambda: agent, reraise=True)

    async def conversation(messages: tuple[str, ...], metadata: dict[str, str] | None) -> int:
        sender = f"prof-{uuid.uuid4().hex[:12]}"
        for text in messages:
            await guarded(
                UserMessage(
                    text, CollectingOutputChannel(), sender, input_channel="rest", metadata=metadata
                )
            )
        return len(messages)

    async def token(dossier: str) -> dict[str, str]:
        async with httpx.AsyncClient() as client:
            answer = await client.post(
                f"{portal_url}/api/v1/sessions",
                json={"dossier_number": dossier, "profile": "affilie", "password": "Carpimko2024"},
            )
            return {"portal_token": answer.json()["token"]}

    for chat in ANONYMOUS:  # warm-up: first graph runs, caches
        await conversation(chat.messages, None)
    profile, count = cProfile.Profile(), 0
    ACTION_CALLS[0] = 0
    wall = cpu = 0.0
    for _ in range(rounds):
        for chat in (*ANONYMOUS, *LOGGED_IN):
            metadata = await token(chat.dossier) if chat.dossier else None
            started, used = time.perf_counter(), time.process_time()
            if profiled:
                profile.enable()
            count += await conversation(chat.messages, metadata)
            if profiled:
                profile.disable()
            wall += time.perf_counter() - started
            cpu += time.process_time() - used
    return profile, count, wall, cpu


def stage_times(profile: cProfile.Profile) -> dict[str, float]:
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    totals = {}
    for stage, (file, function) in STAGES.items():
        totals[stage] = sum(
            cumulative
            for (path, _, name), (_, _, _, cumulative, _) in stats.items()
            if path.endswith(file) and name == function
        )
    return totals


def call_counts(profile: cProfile.Profile) -> dict[str, int]:
    """How many times each counted function ran (outermost calls only)."""
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    return {
        what: sum(
            primitive
            for (path, _, name), (primitive, _, _, _, _) in stats.items()
            if path.endswith(file) and name == function
        )
        for what, (file, function) in COUNTS.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--top", type=int, default=25, help="functions listed by own time")
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "carpimko.tar.gz")
    parser.add_argument("--dump", type=Path, help="also write the raw profile (pstats) there")
    parser.add_argument(
        "--no-profile", action="store_true", help="no cProfile: the real time per message only"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="profile-") as tmp:
        portal_port, action_port = free_port(), free_port()
        portal_url = f"http://127.0.0.1:{portal_port}"
        token = uuid.uuid4().hex
        env = {
            **os.environ,
            "CARPIMKO_DEMO": "1",  # demo data and keys, as `make run`
            "PORTAL_PORT": str(portal_port),
            "PORTAL_HOST": "127.0.0.1",
            "PORTAL_URL": portal_url,
            "PORTAL_DATABASE_URL": f"sqlite:///{tmp}/portal.sqlite3",
            "PORTAL_CLOCK_START": "2025-11-12T10:00:00+01:00",
            "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
            "ACTION_SERVER_TOKEN": token,
            "TRACKER_DB": f"{tmp}/tracker.sqlite3",
            **{
                f"PORTAL_RATE_{n}": "1000000/3600"
                for n in ("RESET_DOSSIER", "RESET_CLIENT", "LOGIN_DOSSIER", "LOGIN_CLIENT")
            },
        }
        os.environ.update(env)
        python = str(ROOT / ".venv" / "bin" / "python")
        services = [
            subprocess.Popen([python, "-m", "portal"], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True),
            subprocess.Popen([python, "-m", "actions.server", "--port", str(action_port)],
                             cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True),
        ]  # fmt: skip
        try:
            wait(f"{portal_url}/health")
            wait(f"http://127.0.0.1:{action_port}/health")
            profile, count, seconds, cpu = asyncio.run(
                replay(args.rounds, portal_url, args.model, profiled=not args.no_profile)
            )
        finally:
            for service in services:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(service.pid, signal.SIGTERM)
                service.wait(timeout=30)
    kind = "without profiler" if args.no_profile else "profiled"
    print(
        f"{count} messages, {kind}: {seconds / count * 1000:.1f} ms per message (wall), "
        f"{cpu / count * 1000:.1f} ms of CPU in Rasa's process"
    )
    print(f"| action server calls per message | {ACTION_CALLS[0] / count:.2f} |")
    if args.no_profile:
        return 0
    print("| stage | ms per message |\n| --- | ---: |")
    for stage, value in stage_times(profile).items():
        print(f"| {stage} | {value / count * 1000:.1f} |")
    for what, calls in call_counts(profile).items():
        print(f"| {what} | {calls / count:.2f} |")
    pstats.Stats(profile, stream=sys.stdout).sort_stats("tottime").print_stats(args.top)
    if args.dump:
        profile.dump_stats(args.dump)
    return 0


if __name__ == "__main__":
    sys.exit(main())
