"""A whole stack (portal, action server, Rasa) started by scripts/run.sh, as `make run` does."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "carpimko.tar.gz"
READY_LINE = "Ctrl-C pour tout arrêter"  # last line scripts/run.sh prints when ready


def free_port() -> int:
    """A TCP port nobody listens on, so the test stack never collides with `make run`."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    """A running stack and where to reach it."""

    process: subprocess.Popen[str]
    rasa_url: str
    output: list[str]


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Start scripts/run.sh on free ports; stop it with SIGINT (Ctrl-C) afterwards."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make model` (make test does it first)")
    tmp = tmp_path_factory.mktemp("stack")
    rasa_port, action_port, portal_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "RASA_PORT": str(rasa_port),
        "ACTION_PORT": str(action_port),
        "PORTAL_PORT": str(portal_port),
        "WEB_PORT": str(free_port()),  # run.sh also starts the demo site: never on :8000
        "CONSOLE_PORT": str(free_port()),
        "CONSOLE_DATABASE_URL": f"sqlite:///{tmp / 'console.sqlite3'}",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
        "PORTAL_URL": f"http://127.0.0.1:{portal_port}",
        "PORTAL_DATABASE_URL": f"sqlite:///{tmp / 'portal.sqlite3'}",
        "TRACKER_DB": str(tmp / "tracker.sqlite3"),
        "LOG_DIR": str(tmp / "log"),
    }
    process = subprocess.Popen(
        ["scripts/run.sh"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    output: list[str] = []
    deadline = time.monotonic() + 330
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        output.append(line)
        if READY_LINE in line:
            break
    if not any(READY_LINE in line for line in output):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        logs = "".join(
            f"\n--- {p.name}\n{p.read_text()[-3000:]}" for p in (tmp / "log").glob("*.log")
        )
        pytest.fail("the stack did not start:\n" + "".join(output) + logs)
    yield Stack(process, f"http://127.0.0.1:{rasa_port}", output)
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
