"""Load through nginx over two Rasa instances, kill one mid-way, check every conversation.

Called by scripts/scale-test.sh (``make scale-test``) once the stack is up:

    scale_test.py prepare --database-url URL       # tracker database and tables, before Rasa
    scale_test.py run --url http://127.0.0.1:PORT --database-url URL \\
        --kill-pid PID --kill-addr 127.0.0.1:PORT [--conversations 40 --messages 8]

``run`` holds many conversations at once, each a numbered sequence of messages over the REST
channel (``?sender=`` for nginx's routing, ``metadata.message_id`` for idempotent retries). A
message is retried with the same id on a connection error or a 502/503/504, until the deadline.
When half of all messages are answered it sends SIGKILL to one Rasa instance. Then it checks:

- client side: each message answered (200 and at least one bot message), no apology for a
  failed turn, every conversation finished before the deadline;
- server side (the ``events`` table in PostgreSQL, :mod:`benchmarks.scale.check`): each user
  message stored once, in order, followed by bot messages;
- failover: the conversations served by the killed instance went on, on the survivor.

With ``--calls N`` it also places N phone calls through nginx at the same time, the way Twilio
does (:mod:`benchmarks.scale.calls`): every turn may land on either instance, half of the calls
are held until the kill, and each call must go on where it was, in order, without a restart or
a turn processed twice.

Prints a summary; exit status 1 on any violation.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.scale.calls import PhoneCalls  # noqa: E402
from benchmarks.scale.check import (  # noqa: E402
    Conversation,
    Turn,
    Violation,
    check_all,
    client_violations,
    events_from_rows,
    failover_violations,
)
from benchmarks.scale.client import send_until_final  # noqa: E402

TEXTS = (
    "bonjour",
    "quels sont vos horaires ?",
    "comment contacter un conseiller ?",
    "merci",
    "je voudrais une attestation",
    "non merci",
    "au revoir",
)


@dataclass
class Kill:
    pid: int
    addr: str
    at_fraction: float
    done_at: float | None = None


class Load:
    """The conversations, the shared counters, and the instance to kill."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.url = args.url.rstrip("/")
        self.deadline = time.monotonic() + args.deadline
        self.think = args.think
        self.attempt_timeout = args.attempt_timeout
        run = args.run_id or f"{int(time.time())}"
        self.conversations = [
            Conversation(
                f"scale-{run}-c{c:03d}",
                [
                    Turn(f"c{c:03d}-m{m:02d}", TEXTS[(c + m) % len(TEXTS)])
                    for m in range(1, args.messages + 1)
                ],
            )
            for c in range(1, args.conversations + 1)
        ]
        self.total = args.conversations * args.messages
        self.answered = 0
        self.kill = Kill(args.kill_pid, args.kill_addr, args.kill_at) if args.kill_pid else None
        self.started = time.monotonic()
        self.resend_every = args.resend_every
        self.resent: list[tuple[str, Turn, bool]] = []  # (sender, turn, same answer)
        self.killed = asyncio.Event()
        self.calls = (
            PhoneCalls(
                self.url,
                args.twilio_token,
                args.calls,
                args.think * 2,
                run,
                self.deadline,
                self.attempt_timeout,
            )
            if args.calls
            else None
        )

    async def converse(self, client: httpx.AsyncClient, conversation: Conversation) -> None:
        await asyncio.sleep(random.uniform(0, self.think * 2))  # conversations start staggered
        for number, turn in enumerate(conversation.turns, start=1):
            if not await self.send(client, conversation.sender, turn):
                return
            if self.resend_every and number % self.resend_every == 0:
                await self.resend(client, conversation.sender, turn)
            await asyncio.sleep(random.uniform(self.think / 2, self.think * 1.5))
        conversation.finished = True

    async def send(
        self, client: httpx.AsyncClient, sender: str, turn: Turn, count: bool = True
    ) -> bool:
        """Send until answered or the deadline; the same message id on every attempt."""
        body = {"sender": sender, "message": turn.text, "metadata": {"message_id": turn.message_id}}

        async def post() -> httpx.Response:
            return await client.post(
                f"{self.url}/webhooks/rest/webhook",
                params={"sender": sender},
                json=body,
                timeout=self.attempt_timeout,
            )

        response = await send_until_final(post, turn, self.deadline)
        if response is None or response.status_code != 200:
            return False
        turn.answers = response.json()
        self.answered += count
        return True

    async def resend(self, client: httpx.AsyncClient, sender: str, turn: Turn) -> None:
        """Send an answered message again, as a client whose answer was lost would: the server
        must not process it twice, and must answer what it answered the first time."""
        copy = Turn(turn.message_id, turn.text)
        if await self.send(client, sender, copy, count=False):
            same = [a.get("text") for a in copy.answers] == [a.get("text") for a in turn.answers]
            self.resent.append((sender, turn, same))

    async def killer(self) -> None:
        if self.kill is None:
            self.killed.set()
            return
        while self.answered < self.kill.at_fraction * self.total:
            await asyncio.sleep(0.05)
        os.kill(self.kill.pid, signal.SIGKILL)
        self.kill.done_at = time.monotonic()
        self.killed.set()
        print(
            f"… SIGKILL envoyé à l'instance Rasa {self.kill.addr} (pid {self.kill.pid}) "
            f"après {self.answered}/{self.total} messages répondus",
            flush=True,
        )

    async def run(self) -> None:
        limits = httpx.Limits(max_connections=len(self.conversations) + 8)
        async with httpx.AsyncClient(limits=limits) as client:
            killer = asyncio.create_task(self.killer())
            phone = [self.calls.run(client, self.killed)] if self.calls else []
            await asyncio.gather(*(self.converse(client, c) for c in self.conversations), *phone)
            if not killer.done():
                killer.cancel()


def stored_events(database_url: str, prefix: str) -> dict[str, list[dict[str, Any]]]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT sender_id, data FROM events WHERE sender_id LIKE :p ORDER BY id"),
                {"p": f"{prefix}%"},
            ).all()
    finally:
        engine.dispose()
    return events_from_rows((str(r[0]), str(r[1])) for r in rows)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def phone_summary(calls: PhoneCalls, moved: int) -> dict[str, Any]:
    turns = [t for c in calls.conversations for t in c.turns if t.attempts]
    latencies = [t.answered_at - t.sent_at for t in turns if t.answered_at is not None]
    spread = Counter(
        len({t.upstream.rsplit(",", 1)[-1].strip() for t in c.turns if t.answered_at})
        for c in calls.conversations
    )
    return {
        "calls": len(calls.conversations),
        "turns": len(turns),
        "answered": len(latencies),
        "retried_turns": sum(t.attempts > 1 for t in turns),
        "latency_p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "latency_p95_s": round(percentile(latencies, 0.95), 3),
        "latency_max_s": round(max(latencies), 3) if latencies else None,
        "by_instance": dict(Counter(t.upstream or "?" for t in turns if t.answered_at)),
        "calls_by_instances_used": {str(k): v for k, v in sorted(spread.items())},
        "calls_moved": moved,
    }


def summarise(
    load: Load, violations: list[Violation], moved: int, elapsed: float
) -> dict[str, Any]:
    turns = [t for c in load.conversations for t in c.turns]
    latencies = [t.answered_at - t.sent_at for t in turns if t.answered_at is not None]
    upstreams = Counter(t.upstream or "?" for t in turns if t.answered_at is not None)
    return {
        "conversations": len(load.conversations),
        "messages": load.total,
        "answered": sum(t.answered_at is not None for t in turns),
        "retried_messages": sum(t.attempts > 1 for t in turns),
        "resent_answered_messages": len(load.resent),
        "seconds": round(elapsed, 1),
        "latency_p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "latency_p95_s": round(percentile(latencies, 0.95), 3),
        "latency_max_s": round(max(latencies), 3) if latencies else None,
        "by_instance": dict(upstreams),
        "killed": load.kill.addr if load.kill else None,
        "conversations_moved": moved,
        "violations": Counter(v.kind for v in violations),
    }


def cmd_run(args: argparse.Namespace) -> int:
    load = Load(args)
    began = time.monotonic()
    asyncio.run(load.run())
    elapsed = time.monotonic() - began
    violations = client_violations(load.conversations)
    violations += [
        Violation(sender, "client", f"{turn.message_id} renvoyé : réponse différente")
        for sender, turn, same in load.resent
        if not same
    ]
    moved = 0
    if load.kill is not None:
        failover, moved = failover_violations(load.conversations, load.kill.addr, load.kill.done_at)
        violations += failover
    prefix = load.conversations[0].sender.rsplit("-c", 1)[0] + "-c"
    stored = stored_events(args.database_url, prefix)
    violations += check_all(
        {c.sender: [t.message_id for t in c.turns if t.attempts] for c in load.conversations},
        stored,
    )
    phone: dict[str, Any] | None = None
    if load.calls is not None:
        calls_moved = 0
        violations += client_violations(load.calls.conversations) + load.calls.violations()
        if load.kill is not None:
            failover, calls_moved = failover_violations(
                load.calls.conversations, load.kill.addr, load.kill.done_at
            )
            violations += failover
        call_prefix = load.calls.conversations[0].sender.rsplit("x", 1)[0] + "x"
        violations += check_all(
            load.calls.expected(), stored_events(args.database_url, call_prefix)
        )
        phone = phone_summary(load.calls, calls_moved)
    summary = summarise(load, violations, moved, elapsed)
    summary["phone"] = phone
    print("\n=== make scale-test : résumé ===")
    print(
        f"{summary['conversations']} conversations, {summary['messages']} messages, "
        f"{summary['answered']} répondus en {summary['seconds']} s ; "
        f"{summary['retried_messages']} réessayés par le client après un échec, "
        f"{summary['resent_answered_messages']} renvoyés exprès après leur réponse"
    )
    print(
        f"latence par message : p50 {summary['latency_p50_s']} s, p95 {summary['latency_p95_s']} s,"
        f" max {summary['latency_max_s']} s"
    )
    print(f"réponses par instance : {summary['by_instance']}")
    if args.kill_pid:
        print(
            f"instance tuée : {summary['killed']} ; conversations reprises par le survivant : "
            f"{moved}"
        )
    print(f"conversations relues dans PostgreSQL : {len(stored)}")
    if phone is not None:
        print(
            f"appels téléphone : {phone['calls']} appels, {phone['turns']} tours, "
            f"{phone['answered']} répondus, {phone['retried_turns']} renvoyés après un échec ; "
            f"latence par tour p50 {phone['latency_p50_s']} s, p95 {phone['latency_p95_s']} s, "
            f"max {phone['latency_max_s']} s"
        )
        print(
            f"tours par instance : {phone['by_instance']} ; appels servis par 1 ou 2 "
            f"instances : {phone['calls_by_instances_used']} ; appels repris par le survivant : "
            f"{phone['calls_moved']}"
        )
    if args.report:
        args.report.write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    if violations:
        kinds = ", ".join(f"{kind} : {n}" for kind, n in summary["violations"].items())
        print(f"ÉCHEC : {len(violations)} violation(s) ({kinds})")
        for violation in violations[:50]:
            print(f"  {violation}")
        return 1
    print("OK : aucun message perdu, dupliqué ou désordonné ; chaque message a eu sa réponse.")
    return 0


def cmd_prepare(args: argparse.Namespace) -> int:
    """Create the tracker database and its tables once, before the Rasa instances start.

    Two instances starting together would both run CREATE TABLE (SQLTrackerStore.__init__)
    and one may fail on PostgreSQL's catalog; in production the first deployment does it."""
    from carpimko.nlu.privacy import RedactingSQLTrackerStore

    url = sa.engine.make_url(args.database_url)
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": url.database}
            ).first()
            if not exists:
                connection.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    finally:
        admin.dispose()
    RedactingSQLTrackerStore(host=args.database_url)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    prepare = sub.add_parser("prepare")
    prepare.add_argument("--database-url", required=True)
    run = sub.add_parser("run")
    run.add_argument("--url", required=True, help="nginx in front of the Rasa instances")
    run.add_argument("--database-url", required=True, help="the trackers' PostgreSQL database")
    run.add_argument("--conversations", type=int, default=40)
    run.add_argument("--messages", type=int, default=8)
    run.add_argument("--think", type=float, default=0.3, help="mean seconds between messages")
    run.add_argument("--deadline", type=float, default=180, help="seconds for the whole load")
    run.add_argument("--attempt-timeout", type=float, default=60)
    run.add_argument(
        "--resend-every", type=int, default=4, help="send every Nth message twice (0: never)"
    )
    run.add_argument("--kill-pid", type=int, default=0)
    run.add_argument("--kill-addr", default="")
    run.add_argument("--kill-at", type=float, default=0.5, help="fraction of messages answered")
    run.add_argument("--run-id", default="")
    run.add_argument("--calls", type=int, default=0, help="phone calls placed at the same time")
    run.add_argument("--twilio-token", default="", help="the token the IVR channel checks")
    run.add_argument("--report", type=Path)
    args = parser.parse_args(argv)
    return cmd_prepare(args) if args.command == "prepare" else cmd_run(args)


if __name__ == "__main__":
    sys.exit(main())
