"""The stack under test: scripts/run.sh on free loopback ports, and its processes' memory.

Runs in .venv-tools (psutil). The stack is exactly what `make run` starts (portal, action
server, Rasa, demo site, support console), with its own databases in a temporary directory,
the portal's clock inside opening hours and its per-dossier rate limits lifted (the benchmark
replays the same demo dossiers many times).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
READY_LINE = "Ctrl-C pour tout arrêter"
OPENING_HOURS = "2025-11-12T10:00:00+01:00"
UNLIMITED = "1000000/3600"
PROCESSES = {
    "rasa": lambda cmd: any(part.endswith("/rasa") for part in cmd[:2]) and "run" in cmd,
    "actions": lambda cmd: "actions.server" in cmd,
    "portal": lambda cmd: cmd[-2:] == ["-m", "portal"],
}
"""How each measured process is recognised among run.sh's children (by its command line)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Stack:
    """scripts/run.sh on free ports; ``ready_seconds`` is the time until it printed « ready »."""

    def __init__(self, workdir: Path, extra_env: dict[str, str] | None = None) -> None:
        self.rasa_port, self.portal_port = free_port(), free_port()
        self.workdir = workdir
        self.env = {
            **os.environ,
            "RASA_PORT": str(self.rasa_port),
            "ACTION_PORT": str(free_port()),
            "PORTAL_PORT": str(self.portal_port),
            "WEB_PORT": str(free_port()),
            "CONSOLE_PORT": str(free_port()),
            "BIND_HOST": "127.0.0.1",
            "LOG_DIR": str(workdir / "log"),
            "TRACKER_DB": str(workdir / "tracker.sqlite3"),
            "PORTAL_DATABASE_URL": f"sqlite:///{workdir / 'portal.sqlite3'}",
            "CONSOLE_DATABASE_URL": f"sqlite:///{workdir / 'console.sqlite3'}",
            "PORTAL_CLOCK_START": OPENING_HOURS,
            **{
                f"PORTAL_RATE_{name}": UNLIMITED
                for name in (
                    "RESET_DOSSIER",
                    "RESET_CLIENT",
                    "LOGIN_DOSSIER",
                    "LOGIN_CLIENT",
                    "IDENTITY_DOSSIER",
                    "IDENTITY_CLIENT",
                )
            },
            **(extra_env or {}),
        }
        for name in ("ACTION_SERVER_URL", "PORTAL_URL"):  # run.sh derives them from the ports
            self.env.pop(name, None)
        self.process: subprocess.Popen[str] | None = None
        self.ready_seconds = float("nan")
        self.pids: dict[str, int] = {}

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def portal_url(self) -> str:
        return f"http://127.0.0.1:{self.portal_port}"

    def start(self, limit: float = 400) -> None:
        started = time.monotonic()
        self.process = subprocess.Popen(
            ["scripts/run.sh"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        ready = threading.Event()
        output: list[str] = []

        def read() -> None:
            assert self.process is not None and self.process.stdout is not None
            for line in self.process.stdout:
                output.append(line)
                if READY_LINE in line:
                    self.ready_seconds = time.monotonic() - started
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(limit):
            self.stop()
            raise RuntimeError("the stack did not start:\n" + "".join(output))
        children = psutil.Process(self.process.pid).children(recursive=True)
        for name, matches in PROCESSES.items():
            found = [p.pid for p in children if _safe_cmdline(p) and matches(_safe_cmdline(p))]
            if not found:
                raise RuntimeError(f"process {name} not found among run.sh's children")
            self.pids[name] = found[0]

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _safe_cmdline(process: psutil.Process) -> list[str]:
    with contextlib.suppress(psutil.Error):
        return process.cmdline()
    return []


class MemorySampler:
    """Samples the RSS of each process (with its children) every ``interval`` seconds."""

    def __init__(self, pids: dict[str, int], interval: float = 0.5) -> None:
        self.processes = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.interval = interval
        self.series: dict[str, list[tuple[float, int]]] = {name: [] for name in pids}
        self.peaks: dict[str, int] = dict.fromkeys(pids, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss(self, name: str) -> int:
        process = self.processes[name]
        total = 0
        with contextlib.suppress(psutil.Error):
            total = process.memory_info().rss
            for child in process.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    total += child.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            now = time.time()
            for name in self.processes:
                value = self.rss(name)
                self.series[name].append((now, value))
                self.peaks[name] = max(self.peaks[name], value)

    def reset_peaks(self) -> None:
        self.peaks = {name: self.rss(name) for name in self.processes}

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
