"""Portal memory under simultaneous logins: peak and resident memory after 3 × 50 at once.

    .venv/bin/python -m benchmarks.portal_logins [NAME=VALUE …]

Starts the portal alone on a free loopback port with a throwaway SQLite database (demo data),
sends 50 logins at once three times, and prints the portal's VmHWM (peak RSS) and VmRSS after
each round. NAME=VALUE pairs go to the portal's environment (e.g. MALLOC_MMAP_THRESHOLD_=1048576,
PORTAL_ARGON2_MAX_CONCURRENT=1) to compare settings.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time

import httpx

from benchmarks.devstack import ROOT, free_port

DOSSIERS = ("1234567", "7654321")
UNLIMITED = "1000000/3600"


def memory(pid: int) -> dict[str, int]:
    """VmHWM and VmRSS of a process, MiB."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(("VmRSS", "VmHWM")):
                values[line.split(":")[0]] = int(line.split()[1]) // 1024
    return values


async def rounds(url: str, pid: int, count: int = 3, at_once: int = 50) -> None:
    limits = httpx.Limits(max_connections=at_once * 2)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        for number in range(count):
            started = time.monotonic()
            answers = await asyncio.gather(
                *(
                    client.post(
                        f"{url}/api/v1/sessions",
                        json={
                            "profile": "affilie",
                            "dossier_number": DOSSIERS[i % 2],
                            "password": "Carpimko2024",
                        },
                    )
                    for i in range(at_once)
                )
            )
            statuses = sorted({answer.status_code for answer in answers})
            print(
                f"round {number + 1}: {at_once} logins, statuses {statuses}, "
                f"{time.monotonic() - started:.1f} s, {memory(pid)}"
            )


def main() -> int:
    extra = dict(item.split("=", 1) for item in sys.argv[1:])
    with tempfile.TemporaryDirectory(prefix="portal-logins-") as tmp:
        port = free_port()
        env = {
            **os.environ,
            "CARPIMKO_DEMO": "1",  # demo data and keys, as `make run`
            "PORTAL_PORT": str(port),
            "PORTAL_HOST": "127.0.0.1",
            "PORTAL_DATABASE_URL": f"sqlite:///{tmp}/portal.sqlite3",
            "PORTAL_CLOCK_START": "2025-11-12T10:00:00+01:00",
            "PORTAL_RATE_LOGIN_DOSSIER": UNLIMITED,
            "PORTAL_RATE_LOGIN_CLIENT": UNLIMITED,
            "MALLOC_ARENA_MAX": "2",
            **extra,
        }
        portal = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "python"), "-m", "portal"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    httpx.get(f"{url}/health", timeout=2)
                    break
                except httpx.HTTPError:
                    time.sleep(0.2)
            print(f"ready: {memory(portal.pid)} ({' '.join(sys.argv[1:]) or 'defaults'})")
            asyncio.run(rounds(url, portal.pid))
        finally:
            portal.terminate()
            portal.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
