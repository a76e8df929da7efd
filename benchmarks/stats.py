"""Figures of a benchmark run: percentiles, throughput, error rate, memory, Markdown tables.

Pure functions over recorded samples (no Locust, no psutil) so that tests/bench checks them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

MESSAGE_KINDS = ("rest", "socketio", "ivr")
"""Request types that are user messages (a portal login is timed but is not a message)."""
CONNECT_KIND = "socketio-connect"
"""Opening the chat's socket: not a message, but a failure is an error (the person got nothing)."""


@dataclass(frozen=True)
class Sample:
    """One timed request: channel (request type), what it was, when it started, how long."""

    kind: str
    name: str
    started: float
    ms: float
    ok: bool


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (the smallest value with at least q % of values ≤ it)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass
class Summary:
    """Latency, throughput and errors of the user messages of one window."""

    messages: int
    errors: int
    seconds: float
    p50: float
    p95: float
    p99: float
    by_kind: dict[str, tuple[int, float]] = field(default_factory=dict)
    """channel → (messages, p95 ms)."""

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds > 0 else 0.0

    @property
    def error_rate(self) -> float:
        """Errors (failed messages and chats that could not connect) per message sent."""
        return self.errors / self.messages if self.messages else 0.0


def summarise(samples: Iterable[Sample], start: float, end: float) -> Summary:
    """Messages that started within [start, end): the steady part of a run (ramp-up excluded)."""
    window = [s for s in samples if start <= s.started < end]
    kept = [s for s in window if s.kind in MESSAGE_KINDS]
    failed_connections = sum(s.kind == CONNECT_KIND and not s.ok for s in window)
    times = [s.ms for s in kept]
    by_kind = {
        kind: (len(values), percentile(values, 95))
        for kind in MESSAGE_KINDS
        if (values := [s.ms for s in kept if s.kind == kind])
    }
    return Summary(
        messages=len(kept),
        errors=sum(not s.ok for s in kept) + failed_connections,
        seconds=max(end - start, 0.0),
        p50=percentile(times, 50),
        p95=percentile(times, 95),
        p99=percentile(times, 99),
        by_kind=by_kind,
    )


def read_samples(path: Path) -> list[Sample]:
    """Samples written one JSON object per line by the locustfile."""
    if not path.exists():
        return []
    return [Sample(**json.loads(line)) for line in path.read_text().splitlines() if line.strip()]


def memory_growth(series: Sequence[tuple[float, int]], warmup: float) -> float:
    """Relative growth of RSS from the first sample after ``warmup`` s to the last one."""
    if not series:
        return math.nan
    origin = series[0][0]
    settled = [rss for t, rss in series if t - origin >= warmup] or [rss for _, rss in series]
    return (settled[-1] - settled[0]) / settled[0] if settled[0] else math.nan


def mib(value: float) -> str:
    return f"{value / 2**20:.0f}"


def _ms(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.0f}"


def level_table(
    rows: Sequence[tuple[int, Summary, dict[str, int]]], processes: Sequence[str]
) -> str:
    """Markdown table: one row per number of concurrent conversations."""
    head = "| conversations | messages | msg/s | p50 ms | p95 ms | p99 ms | errors |"
    rule = "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    head += "".join(f" {name} peak MiB |" for name in processes)
    rule += " ---: |" * len(processes)
    lines = [head, rule]
    for users, summary, peaks in rows:
        lines.append(
            f"| {users} | {summary.messages} | {summary.rate:.1f} | {_ms(summary.p50)} | "
            f"{_ms(summary.p95)} | {_ms(summary.p99)} | {summary.errors} "
            f"({summary.error_rate:.1%}) |"
            + "".join(f" {mib(peaks.get(n, 0))} |" for n in processes)
        )
    return "\n".join(lines)


def channel_table(rows: Sequence[tuple[int, Summary, dict[str, int]]]) -> str:
    """Markdown table: p95 per channel at each level (socket.io = time to the first answer)."""
    lines = [
        "| conversations | " + " | ".join(f"{k} (n, p95 ms)" for k in MESSAGE_KINDS) + " |",
        "| ---: |" + " ---: |" * len(MESSAGE_KINDS),
    ]
    for users, summary, _ in rows:
        cells = []
        for kind in MESSAGE_KINDS:
            count, p95 = summary.by_kind.get(kind, (0, math.nan))
            cells.append(f"{count}, {_ms(p95)}")
        lines.append(f"| {users} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def replace_block(document: str, marker: str, body: str) -> str:
    """``document`` with the text between ``<!-- marker:begin -->`` and ``:end`` replaced
    (appended at the end when the markers are absent): hand-written text stays."""
    begin, end = f"<!-- {marker}:begin -->", f"<!-- {marker}:end -->"
    block = f"{begin}\n{body.strip()}\n{end}"
    if begin in document and end in document:
        before, rest = document.split(begin, 1)
        return before + block + rest.split(end, 1)[1]
    return document.rstrip() + "\n\n" + block + "\n"
