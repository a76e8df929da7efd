"""A throwaway copy of the whole assistant, started by scripts/run.sh as `make run` does.

The stack-based tests (integration, browser, console, phone), the transcript replay and the
benchmarks all need the same thing: every service on free ports (never the contract's, so a
developer's `make run` keeps working), fresh SQLite databases in a temporary folder, the
services' logs at hand when something fails to start, and everything stopped afterwards.
Starting through run.sh rather than process by process keeps them honest: what they test is
what `make run` starts (the action-server token, body limits, API switch…).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "carpimko.tar.gz"
READY_LINE = "Ctrl-C pour tout arrêter"  # the last line scripts/run.sh prints when ready
SERVICES = ("RASA", "ACTION", "PORTAL", "WEB", "CONSOLE")


class StackError(RuntimeError):
    """The stack did not start; the message carries run.sh's output and the logs' tails."""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class DevStack:
    """A running stack: its ports, environment, logs and run.sh's output."""

    ports: dict[str, int]
    env: dict[str, str]
    log_dir: Path
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    def url(self, service: str) -> str:
        """http://127.0.0.1:<port> of one of SERVICES."""
        return f"http://127.0.0.1:{self.ports[service]}"

    @property
    def rasa_url(self) -> str:
        return self.url("RASA")

    @property
    def portal_url(self) -> str:
        return self.url("PORTAL")

    @property
    def web_url(self) -> str:
        return self.url("WEB")

    @property
    def console_url(self) -> str:
        return self.url("CONSOLE")

    def say(self, sender: str, text: str, headers: Mapping[str, str] | None = None) -> list[Any]:
        """One message over the REST channel; the bot's messages (raises on an HTTP error)."""
        import httpx  # the tests' venv has it; the benchmarks' (.venv-tools) never call say()

        response = httpx.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            headers=dict(headers or {}),
            timeout=60,
        )
        response.raise_for_status()
        answers: list[Any] = response.json()
        return answers

    def logs(self, tail: int = 3000) -> str:
        """The end of every service's log, for a failure message."""
        return "".join(
            f"\n--- {path.name}\n{path.read_text(errors='replace')[-tail:]}"
            for path in sorted(self.log_dir.glob("*.log"))
        )


def stack_env(
    tmp: Path, overrides: Mapping[str, str] | None = None, drop: tuple[str, ...] = ()
) -> tuple[dict[str, int], dict[str, str]]:
    """Free ports and an environment for run.sh with every database under `tmp`."""
    ports = {name: free_port() for name in SERVICES}
    env = {
        **os.environ,
        **{f"{name}_PORT": str(port) for name, port in ports.items()},
        "ACTION_SERVER_URL": f"http://127.0.0.1:{ports['ACTION']}/webhook",
        "PORTAL_URL": f"http://127.0.0.1:{ports['PORTAL']}",
        "PORTAL_PUBLIC_URL": f"http://127.0.0.1:{ports['PORTAL']}",
        "RASA_PUBLIC_URL": f"http://127.0.0.1:{ports['RASA']}",
        "PORTAL_DATABASE_URL": f"sqlite:///{tmp / 'portal.sqlite3'}",
        "CONSOLE_DATABASE_URL": f"sqlite:///{tmp / 'console.sqlite3'}",
        "TRACKER_DB": str(tmp / "tracker.sqlite3"),
        "LOG_DIR": str(tmp / "log"),
        "CARPIMKO_DEMO": "1",  # as `make run`: demo accounts, mailbox and clock
        # Every test and benchmark user is the one loopback client, sending faster than a
        # person: the chat channels' own limits are tested in tests/reliability instead.
        "CARPIMKO_RATE_SENDER": "100000/60",
        "CARPIMKO_RATE_CLIENT": "100000/60",
        **(overrides or {}),
    }
    for name in drop:
        env.pop(name, None)
    return ports, env


def stop_group(process: subprocess.Popen[Any], sig: int = signal.SIGINT) -> None:
    """Send `sig` to a process group we started (Ctrl-C makes run.sh stop its services);
    SIGKILL if it lingers after 30 s."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextlib.contextmanager
def running_stack(
    tmp: Path,
    overrides: Mapping[str, str] | None = None,
    drop: tuple[str, ...] = (),
    timeout: float = 600,
    launcher: tuple[str, ...] = (),
) -> Iterator[DevStack]:
    """Start scripts/run.sh on free ports, wait for its ready line, stop it on exit.

    Args:
        tmp: an empty folder for the databases and logs.
        overrides: environment on top of the defaults (clock start, service key…).
        drop: variables to remove from the inherited environment.
        timeout: seconds to wait for the ready line (Rasa loads the model first, which takes
            minutes when the machine's two cores are busy).
        launcher: a command that execs run.sh, e.g. ``("env", "--ignore-signal=INT")`` to
            start it as `&` in a script would (SIGINT ignored).

    Raises:
        StackError: run.sh stopped or stayed silent; the message has its output and logs.
    """
    if not MODEL.exists():
        raise StackError(f"{MODEL} is missing: run `make model` (make test does it first)")
    ports, env = stack_env(tmp, overrides, drop)
    env.setdefault("START_TIMEOUT", str(int(timeout)))
    process = subprocess.Popen(
        [*launcher, "scripts/run.sh"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    stack = DevStack(ports, env, Path(env["LOG_DIR"]), process)
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            stack.output.append(line)
            if READY_LINE in line:
                break
        if not stack.output or READY_LINE not in stack.output[-1]:
            raise StackError("the stack did not start:\n" + "".join(stack.output) + stack.logs())
        yield stack
    finally:
        stop_group(process)
