"""Benchmark of the reference portal: read latency under 50 concurrent clients, PDF time.

    .venv/bin/python scripts/bench_portal.py [--clients 50] [--requests 1000] [--markdown FILE]

Starts `python -m portal` as a subprocess on a free loopback port with a
temporary SQLite database and demo data, measures, then stops it. Every loop is
bounded in request count and in time; only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
ACCOUNTS = [
    ("7654321", "affilie"),
    ("123456789", "ayant_droit"),
    ("1234567", "affilie"),
    ("3456789", "affilie"),
]
READS = [
    ("GET /health", "/health"),
    ("GET /api/v1/contact", "/api/v1/contact"),
    ("GET /api/v1/me", "/api/v1/me"),
    ("GET /api/v1/me/payments", "/api/v1/me/payments"),
    ("GET /api/v1/me/documents", "/api/v1/me/documents"),
    ("GET /api/v1/me/messages", "/api/v1/me/messages"),
]


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0
    alone_p50: float | None = None  # the same route with a single client, for reference

    def record(self, ok: bool, started: float) -> None:
        if ok:
            elapsed = time.perf_counter() - started
            self.latencies.append(elapsed)
            self.elapsed += elapsed
        else:
            self.errors += 1

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
        return ordered[index] * 1000

    def row(self) -> str:
        rate = len(self.latencies) / self.elapsed if self.elapsed else 0.0
        alone = "–" if self.alone_p50 is None else f"{self.alone_p50:.1f}"
        return (
            f"| {self.name} | {alone} | {len(self.latencies)} | {self.errors} | "
            f"{self.percentile(50):.1f} | {self.percentile(95):.1f} | "
            f"{self.percentile(99):.1f} | {rate:.0f} |"
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_portal(port: int, workdir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PORTAL_HOST": "127.0.0.1",
        "PORTAL_PORT": str(port),
        "PORTAL_DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "CARPIMKO_DEMO": "1",
        "PORTAL_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PORTAL_RATE_LOGIN_CLIENT": "100000/60",
        "PORTAL_RATE_LOGIN_DOSSIER": "100000/60",
        "PORTAL_SESSION_TTL": "3600",
    }
    log = (workdir / "portal.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "portal"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )


async def wait_healthy(client: httpx.AsyncClient, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the portal exited during start-up")
        try:
            if (await client.get("/health")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError("the portal did not become healthy within 90 s")


async def login(client: httpx.AsyncClient, dossier: str, profile: str) -> dict[str, str]:
    response = await client.post(
        "/api/v1/sessions",
        json={"profile": profile, "dossier_number": dossier, "password": "Carpimko2024"},
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def hammer(
    base_url: str,
    name: str,
    path: str,
    sessions: list[dict[str, str]],
    clients: int,
    requests: int,
    max_seconds: float,
) -> Result:
    """`clients` concurrent clients share `requests` GETs, stopping after `max_seconds`."""
    result = Result(name)
    remaining = requests
    deadline = time.monotonic() + max_seconds

    async def worker(index: int) -> None:
        nonlocal remaining
        headers = sessions[index % len(sessions)]
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(
            base_url=base_url, headers=headers, limits=limits, timeout=30
        ) as client:
            while remaining > 0 and time.monotonic() < deadline:
                remaining -= 1
                started = time.perf_counter()
                response = await client.get(path)
                result.record(response.status_code == 200, started)

    began = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(clients)))
    result.elapsed = time.perf_counter() - began  # wall time: req/s is the throughput
    return result


async def pdf_timings(
    client: httpx.AsyncClient, headers: dict[str, str], count: int
) -> tuple[Result, Result]:
    """Sequential attestation requests (render + store) and downloads of a rendered slip."""
    create = Result("POST /api/v1/me/attestations (12 mois)")
    download = Result("GET /api/v1/files/… (bordereau rendu à la volée)")
    slips = (
        await client.get("/api/v1/me/documents", headers=headers, params={"kind": "bordereau"})
    ).json()["documents"]
    body = {"type": "versement_contributions", "period_start": "2024-01", "period_end": "2024-12"}
    for index in range(count):
        started = time.perf_counter()
        response = await client.post("/api/v1/me/attestations", headers=headers, json=body)
        create.record(response.status_code == 201, started)
        started = time.perf_counter()
        response = await client.get(slips[index % len(slips)]["download_url"])
        download.record(response.status_code == 200, started)
    return create, download


def render_only(count: int) -> Result:
    """Pure reportlab rendering of a 12-month attestation, in this process."""
    sys.path.insert(0, str(ROOT))
    from portal.services import pdf

    recipient = pdf.Recipient(
        "Mme Sophie Bernard", "7654321", "affilié", ["45 avenue Jean Jaurès", "31000 TOULOUSE"]
    )
    lines = [
        pdf.PaymentLine(
            f"2024-{m:02d}",
            date(2024, m, 28),
            "Rente d'invalidité",
            125000,
            7375,
            3000,
            625,
            375,
            113625,
        )
        for m in range(1, 13)
    ]
    result = Result("rendu reportlab seul (en processus)")
    for _ in range(count):
        started = time.perf_counter()
        pdf.contributions_attestation(recipient, lines, "2024-01", "2024-12", date(2025, 1, 5))
        result.record(True, started)
    return result


async def run(args: argparse.Namespace) -> list[Result]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        process = start_portal(port, Path(tmp))
        try:
            async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
                await wait_healthy(client, process)
                sessions = [await login(client, d, p) for d, p in ACCOUNTS]
                results = []
                for name, path in READS:
                    alone = await hammer(base_url, name, path, sessions, 1, 200, 10)
                    loaded = await hammer(
                        base_url,
                        name,
                        path,
                        sessions,
                        args.clients,
                        args.requests,
                        args.max_seconds,
                    )
                    loaded.alone_p50 = alone.percentile(50)
                    results.append(loaded)
                    print(loaded.row(), flush=True)
                results.extend(await pdf_timings(client, sessions[0], args.pdf_count))
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    results.append(render_only(args.pdf_count))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument(
        "--requests", type=int, default=1000, help="requests per endpoint, shared by the clients"
    )
    parser.add_argument("--max-seconds", type=float, default=30, help="time cap per endpoint")
    parser.add_argument("--pdf-count", type=int, default=30)
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args()
    results = asyncio.run(run(args))
    header = [
        f"Portail de référence, {date.today():%Y-%m-%d}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cœurs (charge moyenne {os.getloadavg()[0]:.1f} à la fin), SQLite, "
        f"un worker ; {args.clients} clients concurrents, "
        f"{args.requests} requêtes par route (latences en ms).",
        "",
        "| mesure | p50 à 1 client | requêtes | erreurs | p50 | p95 | p99 | req/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    table = "\n".join(header + [r.row() for r in results])
    print("\n" + table)
    if args.markdown:
        args.markdown.write_text(table + "\n", encoding="utf-8")
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
