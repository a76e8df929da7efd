"""LOG_FORMAT=json: every service's log is JSON lines with one field set, personal data masked,
and one user message can be followed by its request id from Rasa to the action server and the
portal.

The stack of conftest.py runs with LOG_FORMAT=json. A member gives an e-mail address, a phone
number, an IBAN and a password over REST, asks for an advisor (an action that calls the portal),
and visits the demo site and the console; then every log file is read."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import uuid
from pathlib import Path

import httpx
import socketio

from benchmarks.devstack import DevStack

LOGS = ("rasa", "actions", "portal", "web", "console")
FIELDS = {"time", "service", "level", "logger", "event"}
EMAIL = "camille.martin77@exemple-test.fr"
PHONE = "06 71 23 45 89"
IBAN = "FR7630004008260001234567871"
PASSWORD = "Tournesol!2024"


def json_lines(path: Path) -> tuple[list[dict], list[str]]:
    """The JSON objects of a log, and the lines after the first one that are not JSON (what
    a module prints while it is imported, before the service sets its logging up, is not)."""
    parsed: list[dict] = []
    other: list[str] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    first = next((i for i, line in enumerate(lines) if line.startswith("{")), len(lines))
    for line in lines[first:]:
        try:
            doc = json.loads(line)
        except ValueError:
            other.append(line)
            continue
        (parsed if isinstance(doc, dict) else other).append(doc if isinstance(doc, dict) else line)
    return parsed, other


def test_every_service_logs_json_lines_without_personal_data(ops_stack: DevStack) -> None:
    sender = f"json-logs-{uuid.uuid4().hex[:8]}"
    for text in (
        f"mon e-mail est {EMAIL} et mon téléphone {PHONE}",
        f"mon IBAN est {IBAN}",
        f"mon mot de passe est {PASSWORD}",
    ):
        ops_stack.say(sender, text)
    rid = f"suivi-{uuid.uuid4().hex[:12]}"
    ops_stack.say(sender, "je voudrais parler à un conseiller", {"X-Request-ID": rid})
    httpx.get(f"{ops_stack.web_url}/", timeout=10)
    httpx.get(f"{ops_stack.console_url}/login", timeout=10)

    secrets = [EMAIL, PHONE, re.sub(r"\D", "", PHONE), IBAN, PASSWORD, sender]
    services_of_rid = set()
    for name in LOGS:
        path = ops_stack.log_dir / f"{name}.log"
        parsed, other = json_lines(path)
        assert parsed, f"{name}: no JSON line\n{path.read_text()[-2000:]}"
        for doc in parsed:
            assert doc.keys() >= FIELDS, (name, doc)
            if doc.get("request_id") == rid:
                services_of_rid.add(doc["service"])
        requests = [d for d in parsed if d["logger"] == "carpimko.access"]
        assert requests, f"{name}: no request line"
        assert all(d.get("request_id") and d["http"]["status"] for d in requests), name
        text = path.read_text(encoding="utf-8")
        for secret in secrets:
            assert secret not in text, (name, secret)
        assert other == [], (name, other[:5])
    assert services_of_rid == {"rasa", "actions", "portal"}
    rasa_lines, _ = json_lines(ops_stack.log_dir / "rasa.log")
    hashes = {d["conversation"] for d in rasa_lines if d.get("request_id") == rid}
    action_lines, _ = json_lines(ops_stack.log_dir / "actions.log")
    assert hashes and hashes == {
        d["conversation"] for d in action_lines if d.get("request_id") == rid
    }


def socketio_turns(stack: DevStack, session_id: str, texts: list[str]) -> None:
    """Send each text over socket.io (the widget's channel) and wait for its first answer."""

    async def scenario() -> None:
        client = socketio.AsyncClient(reconnection=False)
        confirmed = asyncio.Event()
        answered = asyncio.Event()
        client.on("session_confirm", lambda _data: confirmed.set())
        client.on("bot_uttered", lambda _data: answered.set())
        await client.connect(stack.rasa_url, socketio_path="/socket.io", transports=["polling"])
        try:
            await client.emit("session_request", {"session_id": session_id})
            await asyncio.wait_for(confirmed.wait(), 30)
            for text in texts:
                answered.clear()
                await client.emit("user_uttered", {"message": text, "session_id": session_id})
                await asyncio.wait_for(answered.wait(), 60)
        finally:
            await client.disconnect()

    asyncio.run(scenario())


def test_each_socketio_message_has_its_own_request_id_down_to_the_portal(
    ops_stack: DevStack,
) -> None:
    """socket.io messages share one connection: each still gets a request id of its own, which
    the action server logs with the conversation's hash and sends on to the portal."""
    session_id = uuid.uuid4().hex
    socketio_turns(ops_stack, session_id, ["quels sont vos horaires ?"] * 2)
    key = ops_stack.env["LOG_HASH_KEY"].encode()  # set by conftest.py: the hash can be computed
    conversation = hmac.new(key, session_id.encode(), hashlib.sha256)
    hashed = conversation.hexdigest()[:16]
    actions, _ = json_lines(ops_stack.log_dir / "actions.log")
    ids = {d["request_id"] for d in actions if d.get("conversation") == hashed}
    assert len(ids) == 2, ids
    portal, _ = json_lines(ops_stack.log_dir / "portal.log")
    assert ids <= {d.get("request_id") for d in portal}
    assert session_id not in (ops_stack.log_dir / "actions.log").read_text()
