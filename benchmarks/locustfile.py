"""Locust users of the benchmark: each one holds conversations, one after the other.

Run by benchmarks/run.py from .venv-tools (Locust and its gevent stay out of Rasa's venv):

    BENCH_RASA_URL=http://127.0.0.1:PORT BENCH_PORTAL_URL=... BENCH_SAMPLES=file.jsonl \
    .venv-tools/bin/locust -f benchmarks/locustfile.py --headless -u 10 -r 2 -t 60s

Each Locust user is one person at a time: it draws a conversation (channel, procedure, logged in
or not; benchmarks/conversations.py), sends its messages with a think time between them, then
starts another conversation under a new sender id. Every message is timed and written to
``BENCH_SAMPLES`` (one JSON line each) for benchmarks/stats.py. socket.io latency is the time to
the bot's first answer (what the person waits for); REST and IVR, the whole turn.

| variable | default | meaning |
| --- | --- | --- |
| ``BENCH_THINK`` | ``0.5:1.5`` | think time between messages, uniform in [min, max] seconds |
| ``BENCH_CHANNELS`` | ``rest:5,socketio:3,ivr:2`` | channel weights |
| ``BENCH_TIMEOUT`` | ``30`` | seconds a message may wait for its answer (then an error) |
"""

from __future__ import annotations

import json
import os
import queue
import random
import sys
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import requests
import socketio
from locust import User, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.conversations import (
    APOLOGY,
    Call,
    TextConversation,
    parse_channels,
    pick,
)

RASA = os.environ.get("BENCH_RASA_URL", "http://127.0.0.1:5005")
PORTAL = os.environ.get("BENCH_PORTAL_URL", "http://127.0.0.1:8080")
THINK = tuple(float(x) for x in os.environ.get("BENCH_THINK", "0.5:1.5").split(":"))
CHANNELS = parse_channels(os.environ.get("BENCH_CHANNELS", "rest:5,socketio:3,ivr:2"))
TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", "30"))
DEMO_PASSWORD = "Carpimko2024"
_samples_lock = threading.Lock()
_samples = open(os.environ.get("BENCH_SAMPLES", os.devnull), "a", buffering=1)  # noqa: SIM115


@events.request.add_listener
def record(request_type: str, name: str, response_time: float, exception: Any, **kw: Any) -> None:
    line = json.dumps(
        {
            "kind": request_type,
            "name": name,
            "started": kw.get("context", {}).get("started", time.time()),
            "ms": response_time,
            "ok": exception is None,
        }
    )
    with _samples_lock:
        _samples.write(line + "\n")


class TurnError(Exception):
    """The answer was missing, malformed or an apology."""


class Person(User):
    """One person at a time, holding whole conversations (see the module docstring)."""

    def on_start(self) -> None:
        self.rng = random.Random()
        self.http = requests.Session()

    def on_stop(self) -> None:
        self.http.close()

    def think(self) -> None:
        low, high = THINK
        if high > 0:
            time.sleep(self.rng.uniform(low, high))

    def timed(self, kind: str, name: str, turn: Any) -> Any:
        """Run ``turn()``, report it to Locust (and the samples file), return its result."""
        started, clock = time.time(), time.perf_counter()
        error: Exception | None = None
        result = None
        try:
            result = turn()
        except Exception as failure:  # any failure of a turn is an error of the benchmark
            error = failure
        self.environment.events.request.fire(
            request_type=kind,
            name=name,
            response_time=(time.perf_counter() - clock) * 1000,
            response_length=0,
            exception=error,
            context={"started": started},
        )
        return result

    @task
    def converse(self) -> None:
        channel, conversation = pick(self.rng, CHANNELS)
        if isinstance(conversation, Call):
            self.call(conversation)
        elif isinstance(conversation, TextConversation):
            metadata = self.log_in(conversation) if conversation.dossier else None
            if channel == "socketio":
                self.chat_socketio(conversation, metadata)
            else:
                self.chat_rest(conversation, metadata)
        self.think()

    # --- portal session (Espace Personnel) ---------------------------------------------------
    def log_in(self, conversation: TextConversation) -> dict[str, str] | None:
        def login() -> dict[str, str]:
            answer = self.http.post(
                f"{PORTAL}/api/v1/sessions",
                json={
                    "dossier_number": conversation.dossier,
                    "profile": conversation.profile,
                    "password": DEMO_PASSWORD,
                },
                timeout=TIMEOUT,
            )
            answer.raise_for_status()
            return {"portal_token": answer.json()["token"]}

        result: dict[str, str] | None = self.timed("portal", "login", login)
        return result

    # --- channels ----------------------------------------------------------------------------
    def chat_rest(self, conversation: TextConversation, metadata: dict[str, str] | None) -> None:
        sender = f"bench-{uuid.uuid4().hex[:16]}"
        for index, text in enumerate(conversation.messages):

            def turn(text: str = text) -> None:
                body: dict[str, Any] = {"sender": sender, "message": text}
                if metadata:
                    body["metadata"] = metadata
                answer = self.http.post(f"{RASA}/webhooks/rest/webhook", json=body, timeout=TIMEOUT)
                answer.raise_for_status()
                _check_texts([m.get("text") or "" for m in answer.json()])

            self.timed("rest", f"{conversation.name} #{index + 1}", turn)
            self.think()

    def chat_socketio(
        self, conversation: TextConversation, metadata: dict[str, str] | None
    ) -> None:
        answers: queue.Queue[dict[str, Any]] = queue.Queue()
        confirmed = threading.Event()
        client = socketio.Client(reconnection=False)
        client.on("bot_uttered", answers.put)
        client.on("session_confirm", lambda *_: confirmed.set())
        session = uuid.uuid4().hex

        def connect() -> None:
            client.connect(
                RASA, socketio_path="/socket.io", transports=["websocket"], wait_timeout=TIMEOUT
            )
            client.emit("session_request", {"session_id": session})
            if not confirmed.wait(TIMEOUT):
                raise TurnError("no session_confirm")

        self.timed("socketio-connect", "connect", connect)
        if not confirmed.is_set():
            client.disconnect()
            return
        try:
            for index, text in enumerate(conversation.messages):

                def turn(text: str = text) -> list[str]:
                    body = {"message": text, "session_id": session, "metadata": metadata or {}}
                    client.emit("user_uttered", body)
                    try:
                        return [answers.get(timeout=TIMEOUT).get("text") or ""]
                    except queue.Empty:
                        raise TurnError("no answer") from None

                first = self.timed("socketio", f"{conversation.name} #{index + 1}", turn)
                # The rest of the turn's answers (not timed), so that none is taken for the next
                # turn's; an apology among them is not counted: rare, and seen on REST anyway.
                time.sleep(0.3)
                later = []
                while not answers.empty():
                    later.append(answers.get_nowait().get("text") or "")
                if first is not None and any(APOLOGY in t for t in [*first, *later]):
                    self.environment.events.request.fire(
                        request_type="socketio-apology", name=conversation.name,
                        response_time=0, response_length=0, exception=None, context={},
                    )  # fmt: skip
                self.think()
        finally:
            client.disconnect()

    def call(self, call: Call) -> None:
        sid = f"CA{uuid.uuid4().hex}"
        caller = f"+336{self.rng.randrange(10**8):08d}"
        for index, fields in enumerate(call.turns):

            def turn(fields: dict[str, str] = fields) -> None:
                answer = self.http.post(
                    f"{RASA}/webhooks/ivr/webhook",
                    data={"CallSid": sid, "From": caller, **fields},
                    timeout=TIMEOUT,
                )
                answer.raise_for_status()
                ET.fromstring(answer.content)
                _check_texts([answer.text])

            self.timed("ivr", f"{call.name} #{index + 1}", turn)
            self.think()


def _check_texts(texts: list[str]) -> None:
    if not texts:
        raise TurnError("no answer")
    if any(APOLOGY in text for text in texts):
        raise TurnError("apology: an action or the store failed")
