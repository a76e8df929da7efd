"""A real stack for whole phone calls: portal, action server and Rasa with the trained model.

Each service runs as its own process on free ports (never the contract's), like `make run`
does; the portal starts in demo mode with a movable clock (PORTAL_CLOCK_START, then
PUT /api/v1/demo/clock), so opening hours never depend on the wall clock.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "carpimko.tar.gz"
SERVICE_KEY = "demo-service-key"
OPEN = "2025-11-12T10:00:00+01:00"  # Wednesday, 10:00 in Paris: advisors answer
CLOSED = "2025-11-12T19:00:00+01:00"  # Wednesday evening


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class IVRStack:
    rasa_url: str
    portal_url: str

    @property
    def webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/ivr/webhook"

    @property
    def turn_url(self) -> str:
        return f"{self.rasa_url}/webhooks/ivr/turn"

    def set_clock(self, moment: str) -> None:
        response = httpx.put(
            f"{self.portal_url}/api/v1/demo/clock",
            json={"now": moment},
            headers={"X-Service-Key": SERVICE_KEY},
            timeout=10,
        )
        response.raise_for_status()


def _wait(url: str, processes: list[subprocess.Popen[bytes]], logs: Path, limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code < 500:
                return
        if any(p.poll() is not None for p in processes):
            break
        time.sleep(0.5)
    tails = "".join(f"\n--- {p.name}\n{p.read_text()[-3000:]}" for p in logs.glob("*.log"))
    pytest.fail(f"{url} did not answer:{tails}")


@pytest.fixture(scope="session")
def ivr_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IVRStack]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make model` (make test does it first)")
    tmp = tmp_path_factory.mktemp("ivr-stack")
    logs = tmp / "log"
    logs.mkdir()
    rasa_port, action_port, portal_port = free_port(), free_port(), free_port()
    portal_url = f"http://127.0.0.1:{portal_port}"
    env = {
        **os.environ,
        "PORTAL_PORT": str(portal_port),
        "PORTAL_HOST": "127.0.0.1",
        "PORTAL_URL": portal_url,
        "PORTAL_DATABASE_URL": f"sqlite:///{tmp / 'portal.sqlite3'}",
        "PORTAL_CLOCK_START": OPEN,
        "PORTAL_SERVICE_KEY": SERVICE_KEY,
        "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
        "TRACKER_DB": str(tmp / "tracker.sqlite3"),
        "ACTION_SERVER_TOKEN": secrets.token_hex(16),  # as scripts/run.sh does
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    env.pop("IVR_TWILIO_AUTH_TOKEN", None)
    bin_dir = ROOT / ".venv" / "bin"
    commands = {
        "portal": [str(bin_dir / "python"), "-m", "portal"],
        "actions": [str(bin_dir / "python"), "-m", "actions.server", "--host", "127.0.0.1",
                    "--port", str(action_port)],
        "rasa": [str(bin_dir / "rasa"), "run", "--model", str(MODEL), "--port", str(rasa_port),
                 "--interface", "127.0.0.1", "--credentials", "credentials.yml",
                 "--endpoints", "endpoints.yml"],
    }  # fmt: skip
    processes = []
    for name, command in commands.items():
        out = (logs / f"{name}.log").open("wb")
        processes.append(
            subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    try:
        _wait(f"{portal_url}/health", processes, logs, 120)
        _wait(f"http://127.0.0.1:{action_port}/health", processes, logs, 180)
        _wait(f"http://127.0.0.1:{rasa_port}/webhooks/ivr/", processes, logs, 330)
        yield IVRStack(f"http://127.0.0.1:{rasa_port}", portal_url)
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
