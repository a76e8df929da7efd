"""Peak and current RSS of each service of `make run` after a short REST and page load.

    .venv/bin/python scripts/measure_rss.py [--conversations 30]

Starts a throwaway stack (benchmarks/devstack.py), holds N two-turn REST conversations and loads
the demo site's two pages and the console's login page N times, then reads VmHWM and VmRSS of
the process listening on each service's port. The figures of deploy/k8s's resource requests
for the console and the demo site come from here (docs/exploitation.md); Rasa's, the action
server's and the portal's from `make bench` (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
from pathlib import Path

import httpx

from benchmarks.devstack import SERVICES, running_stack


def memory_mib(port: int) -> tuple[int, int]:
    """(peak, current) resident memory in MiB of the process listening on `port`."""
    listening = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True, check=True)
    for line in listening.stdout.splitlines():
        pid = re.search(r"pid=(\d+)", line)
        if f":{port} " in line and pid:
            status = Path(f"/proc/{pid[1]}/status").read_text()
            peak = int(re.search(r"VmHWM:\s+(\d+)", status)[1])  # type: ignore[index]
            now = int(re.search(r"VmRSS:\s+(\d+)", status)[1])  # type: ignore[index]
            return peak // 1024, now // 1024
    raise RuntimeError(f"nothing listens on {port}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, running_stack(Path(tmp)) as stack:
        for i in range(args.conversations):
            stack.say(f"rss-{i}", "bonjour")
            stack.say(f"rss-{i}", "quels sont vos horaires ?")
            for url in (f"{stack.web_url}/", f"{stack.web_url}/espace-personnel"):
                httpx.get(url, timeout=10)
            httpx.get(f"{stack.console_url}/login", timeout=10)
        print("| service | peak RSS MiB | RSS at the end MiB |")
        print("| --- | --- | --- |")
        for service in SERVICES:
            peak, now = memory_mib(stack.ports[service])
            print(f"| {service.lower()} | {peak} | {now} |")


if __name__ == "__main__":
    main()
