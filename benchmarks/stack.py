"""The stack under test: scripts/run.sh on free loopback ports, and its processes' memory.

Runs in .venv-tools (psutil). The stack is exactly what `make run` starts (portal, action
server, Rasa, demo site, support console), with its own databases in a temporary directory,
the portal's clock inside opening hours and its per-dossier rate limits lifted (the benchmark
replays the same demo dossiers many times).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil

from benchmarks.devstack import DevStack, running_stack
from benchmarks.procmem import pss_bytes

OPENING_HOURS = "2025-11-12T10:00:00+01:00"
UNLIMITED = "1000000/60"
"""The bench replays a few demo dossiers from one address: their login and reset quotas are
lifted. A short window, so that the portal does not keep every login of the last hour (a
production quota keeps at most its count per key)."""
PROCESSES = {
    "rasa": lambda cmd: "carpimko.rasa_server" in cmd and "run" in cmd,
    "actions": lambda cmd: "actions.server" in cmd,
    "portal": lambda cmd: cmd[-2:] == ["-m", "portal"],
}
"""How each measured process is recognised among run.sh's children (by its command line)."""
RATE_LIMITS = (
    "RESET_DOSSIER",
    "RESET_CLIENT",
    "LOGIN_DOSSIER",
    "LOGIN_CLIENT",
    "IDENTITY_DOSSIER",
    "IDENTITY_CLIENT",
)


class Stack:
    """scripts/run.sh on free ports (benchmarks.devstack); ``ready_seconds`` is the time until it
    printed « ready », ``pids`` the measured processes."""

    def __init__(self, workdir: Path, extra_env: dict[str, str] | None = None) -> None:
        self.workdir = workdir
        self.overrides = {
            "BIND_HOST": "127.0.0.1",
            "PORTAL_CLOCK_START": OPENING_HOURS,
            **{f"PORTAL_RATE_{name}": UNLIMITED for name in RATE_LIMITS},
            **(extra_env or {}),
        }
        self._running = contextlib.ExitStack()
        self.stack: DevStack | None = None
        self.ready_seconds = float("nan")
        self.pids: dict[str, int] = {}

    @property
    def rasa_url(self) -> str:
        assert self.stack is not None
        return self.stack.rasa_url

    @property
    def portal_url(self) -> str:
        assert self.stack is not None
        return self.stack.portal_url

    def start(self, limit: float = 400) -> None:
        started = time.monotonic()
        self.stack = self._running.enter_context(
            running_stack(self.workdir, self.overrides, timeout=limit)
        )
        self.ready_seconds = time.monotonic() - started
        children = psutil.Process(self.stack.process.pid).children(recursive=True)
        for name, matches in PROCESSES.items():
            found = [p.pid for p in children if _safe_cmdline(p) and matches(_safe_cmdline(p))]
            if not found:
                self.stop()
                raise RuntimeError(f"process {name} not found among run.sh's children")
            self.pids[name] = found[0]

    def stop(self) -> None:
        self._running.close()


def _safe_cmdline(process: psutil.Process) -> list[str]:
    with contextlib.suppress(psutil.Error):
        return process.cmdline()
    return []


def _rss(process: psutil.Process) -> int:
    return int(process.memory_info().rss)


def _pss(process: psutil.Process) -> int:
    return pss_bytes(process.pid)


class MemorySampler:
    """Samples the RSS of each process (with its children) every ``interval`` seconds, and the
    peak of their summed PSS."""

    def __init__(self, pids: dict[str, int], interval: float = 0.5) -> None:
        self.processes = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.interval = interval
        self.series: dict[str, list[tuple[float, int]]] = {name: [] for name in pids}
        self.peaks: dict[str, int] = dict.fromkeys(pids, 0)
        self.pss_peaks: dict[str, int] = dict.fromkeys(pids, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _group(self, name: str) -> list[psutil.Process]:
        """The process and its children (none if it is gone)."""
        process = self.processes[name]
        try:
            return [process, *process.children(recursive=True)]
        except psutil.Error:
            return []

    @staticmethod
    def _total(group: list[psutil.Process], size: Callable[[psutil.Process], int]) -> int:
        total = 0
        for one in group:
            with contextlib.suppress(psutil.Error, OSError):
                total += size(one)
        return total

    def rss(self, name: str) -> int:
        """The summed RSS of the process and its children."""
        return self._total(self._group(name), _rss)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            now = time.time()
            for name in self.processes:
                group = self._group(name)
                value = self._total(group, _rss)
                self.series[name].append((now, value))
                self.peaks[name] = max(self.peaks[name], value)
                self.pss_peaks[name] = max(self.pss_peaks[name], self._total(group, _pss))

    def reset_peaks(self) -> None:
        self.peaks = {name: self.rss(name) for name in self.processes}

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
