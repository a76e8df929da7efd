"""Load benchmark of the whole assistant: `make bench` (levels) and `make soak` (memory growth).

    .venv-tools/bin/python -m benchmarks.run [--levels 1,10,50,100] [--duration 60]
        [--think 0.5:1.5] [--throughput-users 10] [--write docs/benchmarks.md]
    .venv-tools/bin/python -m benchmarks.run --soak-minutes 30 --soak-users 20 [--write …]

Starts scripts/run.sh on free loopback ports (never the contract's ports) with the trained
model, times how long it takes to be ready, warms it up, then runs Locust
(benchmarks/locustfile.py) once per number of concurrent conversations, and once without think
time on the REST channel for the highest sustained rate. The RSS of Rasa, the action server and
the portal is sampled every 0.5 s (psutil). Figures go to stdout, to var/bench/*.json and, with
``--write``, to their block of docs/benchmarks.md. Every run is bounded in time; only
127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

import psutil

from benchmarks.devstack import ROOT
from benchmarks.stack import MemorySampler, Stack
from benchmarks.stats import (
    Summary,
    channel_table,
    level_table,
    memory_growth,
    mib,
    read_samples,
    replace_block,
    summarise,
)

LOCUST = Path(sys.executable).parent / "locust"
PROCESS_NAMES = ("rasa", "actions", "portal")
TARGET_MIB = {"rasa": 1024, "actions": 250, "portal": 150}


CPU_SHARES: dict[str, dict[str, float]] = {}
"""Per Locust run (samples file stem): share of the machine's CPUs used by each process."""


STOP_GRACE = 30
"""Seconds Locust may take to stop after its run time before it is killed."""


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """CPU time (user + system) of each measured process with its children (Locust too)."""
    totals = {}
    for name, pid in pids.items():
        total = 0.0
        with contextlib.suppress(psutil.Error):
            process = psutil.Process(pid)
            for one in (process, *process.children(recursive=True)):
                with contextlib.suppress(psutil.Error):
                    times = one.cpu_times()
                    total += times.user + times.system
        totals[name] = total
    return totals


def run_locust(
    stack: Stack, users: int, seconds: int, think: str, channels: str, samples: Path
) -> Summary:
    """One Locust run; the summary of the messages sent after the ramp-up.

    The CPU share of each process (Locust included: it runs on the same cores) is taken over
    the run's own ``seconds``, not over the time Locust then takes to stop, and goes to
    ``CPU_SHARES``. A Locust that has not stopped ``STOP_GRACE`` s later is killed (the
    samples it wrote are kept, and the report says so)."""
    rate = max(1, users // 5)
    env = {
        **os.environ,
        "BENCH_RASA_URL": stack.rasa_url,
        "BENCH_PORTAL_URL": stack.portal_url,
        "BENCH_SAMPLES": str(samples),
        "BENCH_THINK": think,
        "BENCH_CHANNELS": channels,
    }
    command = [
        str(LOCUST), "-f", str(ROOT / "benchmarks" / "locustfile.py"), "--headless",
        "-u", str(users), "-r", str(rate), "-t", f"{seconds}s", "--stop-timeout", "0",
        "--only-summary", "--loglevel", "ERROR", "--host", stack.rasa_url,
        "--exit-code-on-error", "0",
    ]  # fmt: skip
    with (samples.parent / f"{samples.stem}.locust.log").open("w") as log:
        locust = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        measured = {**stack.pids, "locust": locust.pid}
        before, started = cpu_seconds(measured), time.monotonic()
        last = before
        while locust.poll() is None and time.monotonic() - started < seconds:
            time.sleep(0.5)
            last = {**last, **{k: v for k, v in cpu_seconds(measured).items() if v}}
        wall = time.monotonic() - started
        cores = os.cpu_count() or 1
        CPU_SHARES[samples.stem] = {
            name: (last[name] - before[name]) / (wall * cores) for name in measured
        }
        try:
            locust.wait(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:  # stuck stopping: killed; its samples are kept
            locust.kill()
            locust.wait()
            STUCK.append(samples.stem)
            print(f"Locust did not stop {STOP_GRACE} s after its run: killed", file=sys.stderr)
    recorded = read_samples(samples)
    if not recorded:
        raise RuntimeError(f"no request recorded: see {samples.parent}")
    first = min(s.started for s in recorded)
    return summarise(recorded, first + users / rate, first + seconds)


STUCK: list[str] = []
"""Locust runs (samples file stems) killed after their run time."""


def cpu_line(stem: str) -> str:
    shares = CPU_SHARES.get(stem, {})
    line = ", ".join(f"{name} {share:.0%}" for name, share in shares.items())
    return line + (" (Locust killed after its run)" if stem in STUCK else "")


def machine() -> str:
    cpu = "?"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{cpu}, {os.cpu_count()} cores, {memory / 2**30:.0f} GiB, Linux {platform.release()}"


def versions() -> str:
    script = (
        "from importlib.metadata import version as v; print(', '.join(f'{p} {v(p)}' for p in "
        "('rasa', 'rasa-sdk', 'sanic', 'tensorflow', 'spacy', 'SQLAlchemy')))"
    )
    rasa_side = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-c", script],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    return f"Python {platform.python_version()}, {rasa_side}, locust {version('locust')}"


def header(command: str, load: tuple[float, float, float], stack: Stack) -> list[str]:
    return [
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by `{command}`.",
        "",
        f"- Machine: {machine()}; load average before the run "
        f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (1/5/15 min).",
        f"- Versions: {versions()}.",
        f"- Stack ready (scripts/run.sh started → model loaded, every health check green): "
        f"**{stack.ready_seconds:.1f} s**.",
    ]


def bench(args: argparse.Namespace, stack: Stack, out: Path, command: str) -> str:
    load = os.getloadavg()
    rows: list[tuple[int, Summary, dict[str, int]]] = []
    with MemorySampler(stack.pids) as memory:
        run_locust(stack, 2, 20, args.think, args.channels, out / "warmup.jsonl")
        for users in args.levels:
            memory.reset_peaks()
            summary = run_locust(
                stack, users, args.duration, args.think, args.channels, out / f"u{users}.jsonl"
            )
            rows.append((users, summary, dict(memory.peaks)))
            print(level_table([rows[-1]], PROCESS_NAMES).splitlines()[-1], flush=True)
        throughput = None
        if args.throughput_users:
            memory.reset_peaks()
            throughput = run_locust(
                stack, args.throughput_users, args.duration, "0:0", "rest",
                out / "throughput.jsonl",
            )  # fmt: skip
            throughput_peaks = dict(memory.peaks)
        overall = {name: max((v for _, v in s), default=0) for name, s in memory.series.items()}
        overall_pss = dict(memory.pss_peaks)
    lines = header(command, load, stack)
    lines += [
        f"- Conversations: {args.channels} (REST / socket.io / IVR weights), 30 % of the chat "
        f"conversations logged in; think time {args.think} s between messages; {args.duration} s "
        "per level, figures over the messages sent after the ramp-up.",
        f"- Load average at the end: {os.getloadavg()[0]:.2f}.",
        "",
        level_table(rows, PROCESS_NAMES),
        "",
        "p95 per channel (socket.io: time to the bot's first answer; REST and IVR: the whole "
        "turn):",
        "",
        channel_table(rows),
        "",
        "Share of the machine's CPUs (all cores) used during each level, Locust included (it runs "
        "on the same cores):",
        "",
        *(f"- {users} conversations: {cpu_line(f'u{users}')}" for users, _, _ in rows),
    ]
    if throughput is not None:
        lines += [
            "",
            f"Highest sustained rate on one Rasa instance, REST, no think time, "
            f"{args.throughput_users} conversations with action and portal calls: "
            f"**{throughput.rate:.1f} msg/s**, p50 {throughput.p50:.0f} ms, "
            f"p95 {throughput.p95:.0f} ms, {throughput.errors} errors of {throughput.messages}; "
            "peak RSS "
            + ", ".join(f"{n} {mib(throughput_peaks.get(n, 0))} MiB" for n in PROCESS_NAMES)
            + f"; CPU share {cpu_line('throughput')}.",
        ]
    lines += [
        "",
        "Peak RSS over the whole run: "
        + ", ".join(f"{n} {mib(overall[n])} MiB (target ≤ {TARGET_MIB[n]})" for n in PROCESS_NAMES)
        + ". Peak PSS (a page shared by several processes counted once, split between them; "
        "differs from the RSS when a server has several processes): "
        + ", ".join(f"{n} {mib(overall_pss[n])} MiB" for n in PROCESS_NAMES)
        + ".",
    ]
    (out / "results.json").write_text(
        json.dumps(
            {
                "ready_seconds": stack.ready_seconds,
                "levels": [
                    {"users": u, **asdict(s), "rate": s.rate, "peaks": p} for u, s, p in rows
                ],
                "throughput": asdict(throughput) | {"rate": throughput.rate}
                if throughput
                else None,
                "peaks": overall,
                "pss_peaks": overall_pss,
                "cpu_shares": CPU_SHARES,
            },
            indent=1,
        )
    )
    return "\n".join(lines)


def soak(args: argparse.Namespace, stack: Stack, out: Path, command: str) -> str:
    load = os.getloadavg()
    seconds = int(args.soak_minutes * 60)
    warmup = min(300.0, seconds * 0.2)
    with MemorySampler(stack.pids, interval=2.0) as memory:
        run_locust(stack, 2, 20, args.think, args.channels, out / "warmup.jsonl")
        summary = run_locust(
            stack, args.soak_users, seconds, args.think, args.channels, out / "soak.jsonl"
        )
        series = memory.series
    lines = header(command, load, stack)
    lines += [
        f"- {args.soak_users} concurrent conversations for {args.soak_minutes:g} min "
        f"({args.channels}, think time {args.think} s): {summary.messages} messages, "
        f"{summary.rate:.1f} msg/s, p50 {summary.p50:.0f} ms, p95 {summary.p95:.0f} ms, "
        f"p99 {summary.p99:.0f} ms, {summary.errors} errors.",
        f"- Load average at the end: {os.getloadavg()[0]:.2f}.",
        "",
        f"| process | RSS after {warmup:.0f} s MiB | RSS at the end MiB | peak MiB | growth |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name in PROCESS_NAMES:
        values = series[name]
        origin = values[0][0]
        settled = [v for t, v in values if t - origin >= warmup] or [v for _, v in values]
        growth = memory_growth(values, warmup)
        lines.append(
            f"| {name} | {mib(settled[0])} | {mib(settled[-1])} | "
            f"{mib(max(v for _, v in values))} | {growth:+.1%} |"
        )
    lines.append("\nTarget: growth ≤ 5 % (from the end of the warm-up to the end of the soak).")
    (out / "soak-memory.json").write_text(json.dumps(series))
    return "\n".join(lines)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--levels", default="1,10,50,100", type=lambda s: [int(x) for x in s.split(",")]
    )
    parser.add_argument("--duration", type=int, default=60, help="seconds per level")
    parser.add_argument("--think", default="0.5:1.5", help="think time MIN:MAX seconds")
    parser.add_argument("--channels", default="rest:5,socketio:3,ivr:2")
    parser.add_argument("--throughput-users", type=int, default=10, help="0: skip")
    parser.add_argument("--soak-minutes", type=float, default=0, help="> 0: the soak instead")
    parser.add_argument("--soak-users", type=int, default=20)
    parser.add_argument("--model", default="models/carpimko.tar.gz")
    parser.add_argument("--write", type=Path, help="Markdown file whose block is replaced")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="environment of the stack (e.g. SANIC_WORKERS=2 RASA_ENDPOINTS=…); repeatable",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    command = os.environ.get("BENCH_COMMAND") or shlex.join(
        [".venv-tools/bin/python", "-m", "benchmarks.run", *(argv or sys.argv[1:])]
    )
    if not LOCUST.exists():
        print("Locust manque : lancez `make tools`.", file=sys.stderr)
        return 2
    out = args.out / ("soak" if args.soak_minutes else "bench")
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.jsonl"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        extra = dict(item.split("=", 1) for item in args.env)
        stack = Stack(Path(tmp), {"RASA_MODEL": args.model, **extra})
        stack.start()
        try:
            runner = soak if args.soak_minutes else bench
            report = runner(args, stack, out, command)
        finally:
            stack.stop()
            shutil.copytree(Path(tmp) / "log", out / "log", dirs_exist_ok=True)
    print(report)
    if args.write:
        marker = "make soak" if args.soak_minutes else "make bench"
        document = args.write.read_text() if args.write.exists() else ""
        args.write.write_text(replace_block(document, marker, report))
    return 0


if __name__ == "__main__":
    time.tzset()
    sys.exit(main())
