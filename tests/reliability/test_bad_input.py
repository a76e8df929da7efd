"""Bad input at every HTTP entry point of the running stack: no 5xx, no crash, no hang, no
garbage stored, a clear error (or a French answer) for each.

Entry points here: Rasa's REST webhook, socket.io, the phone channel (Twilio webhook and JSON
turn), the portal API, the demo site and the support console.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree

import httpx
import pytest
import socketio
from stacklib import CONSOLE_LOGIN, CONSOLE_PASSWORD, Stack, new_sender, texts

# One sample from every Unicode plane that has assigned characters, plus emoji sequences.
ALL_PLANES = "A é 中 𝄞 𠀀 𰀀 \U000e0041 \U000f0000 \U0010fffd 👍🏽 🇫🇷 👩‍👩‍👧 ‮ ​ ﻿"
MESSAGES = {
    "control characters": "bon\x00jour\x07\x1b[31m\x7f\x85",
    "lone surrogate": "\ud800bonjour\udfff",
    "all unicode planes": ALL_PLANES,
    "emoji only": "🙂🙂🙂",
    "sql injection": "1234567'; DROP TABLE events; --",
    "script injection": "<script>alert('x')</script><img src=x onerror=alert(1)>",
    "template injection": "{{7*7}} ${jndi:ldap://example.invalid/a} %s%n",
    "path traversal": "../../../../etc/passwd",
    "rtl and zero width": "‏مرحبا‎ b​o​n​j​o​u​r",
    "decomposed accents": "j'ai oublie\u0301 mon mot de passe",
    "only spaces": "   \t  ",
    "very long": "bonjour " * 1500,
}
REST_BODIES: dict[str, bytes] = {
    "empty": b"",
    "truncated": b'{"sender": "x", "message": "bon',
    "not json": b"sender=x&message=bonjour",
    "binary": os.urandom(2048),
    "null": b"null",
    "array": b'[{"sender": "x", "message": "bonjour"}]',
    "number": b"42",
    "string": b'"bonjour"',
    "sender missing": b'{"message": "bonjour"}',
    "sender number": b'{"sender": 12, "message": "bonjour"}',
    "sender with spaces": b'{"sender": "a b", "message": "bonjour"}',
    "sender too long": json.dumps({"sender": "a" * 500, "message": "bonjour"}).encode(),
    "message number": b'{"sender": "x", "message": 12}',
    "message object": b'{"sender": "x", "message": {"text": "bonjour"}}',
    "message null": b'{"sender": "x", "message": null}',
    "metadata list": b'{"sender": "x", "message": "bonjour", "metadata": [1]}',
    "metadata huge": json.dumps(
        {"sender": "x", "message": "bonjour", "metadata": {"a": "b" * 10_000}}
    ).encode(),
    "invalid utf-8": b'{"sender": "x", "message": "\xff\xfe"}',
    "deep nesting": b'{"sender": "x", "message": "a", "metadata": '
    + b"[" * 5000
    + b"]" * 5000
    + b"}",
}


def post_rest(stack: Stack, body: bytes, content_type: str = "application/json") -> httpx.Response:
    return httpx.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        content=body,
        headers={"Content-Type": content_type},
        timeout=60,
    )


@pytest.mark.parametrize("name", list(REST_BODIES))
def test_rest_refuses_malformed_bodies_with_a_french_400(stack: Stack, name: str) -> None:
    response = post_rest(stack, REST_BODIES[name])
    assert response.status_code in (400, 413), response.text
    if response.status_code == 400:
        error = response.json()["error"]
        assert error["code"] == "requete_invalide"
        assert "Traceback" not in error["message"]


def test_rest_refuses_a_huge_body_with_413(stack: Stack) -> None:
    body = json.dumps({"sender": "x", "message": "a" * 200_000}).encode()
    assert post_rest(stack, body).status_code == 413


@pytest.mark.parametrize("name", list(MESSAGES))
def test_rest_answers_strange_messages_in_french(stack: Stack, name: str) -> None:
    sender = new_sender()
    response = post_rest(stack, json.dumps({"sender": sender, "message": MESSAGES[name]}).encode())
    assert response.status_code == 200, response.text
    answer = texts(response.json())
    assert answer, f"{name}: no answer"
    assert "Traceback" not in answer and "Exception" not in answer
    if name == "very long":
        assert "trop long" in answer


def test_nothing_strange_was_stored(stack: Stack) -> None:
    """After the two tests above, the tracker store holds no control character, no lone
    surrogate, no over-long message, and the injected SQL did nothing."""
    rows = stack.postgres.query("SELECT data FROM events WHERE type_name = 'user'")
    assert rows, "user events are expected"
    for line in rows.splitlines():
        text = json.loads(line).get("text") or ""
        assert len(text) <= 2000
        assert not any(ord(ch) < 32 and ch not in "\n\t" for ch in text), text
        text.encode("utf-8")  # no lone surrogate
    assert int(stack.postgres.query("SELECT count(*) FROM events")) > 0


async def _socket_session(url: str) -> tuple[socketio.AsyncClient, list[dict[str, Any]], str]:
    client = socketio.AsyncClient(reconnection=False)
    received: list[dict[str, Any]] = []
    confirmed: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    @client.on("bot_uttered")
    async def on_bot(data: dict[str, Any]) -> None:
        received.append(data)

    @client.on("session_confirm")
    async def on_confirm(session_id: str) -> None:
        if not confirmed.done():
            confirmed.set_result(session_id)

    await client.connect(url, socketio_path="/socket.io", transports=["polling"])
    session_id = uuid.uuid4().hex
    await client.emit("session_request", {"session_id": session_id})
    await asyncio.wait_for(confirmed, 30)
    return client, received, session_id


async def _wait_for(received: list[dict[str, Any]], count: int, seconds: float = 60) -> None:
    for _ in range(int(seconds * 10)):
        if len(received) >= count:
            return
        await asyncio.sleep(0.1)


def test_socketio_survives_bad_events_and_still_answers(stack: Stack) -> None:
    async def scenario() -> tuple[list[dict[str, Any]], int, int]:
        client, received, session_id = await _socket_session(stack.rasa_url)
        bad: list[Any] = [
            None,
            42,
            "bonjour",
            [],
            {"session_id": session_id},
            {"message": 12, "session_id": session_id},
            {"message": {"a": 1}, "session_id": session_id},
            {"message": "bonjour", "session_id": session_id, "customData": "{not json"},
            {"message": "x", "session_id": ["list"]},
        ]
        for event in bad:
            await client.emit("user_uttered", event)
        await client.emit("session_request", None)
        await client.emit("session_request", "garbage")
        await asyncio.sleep(3)
        strange = [
            {"message": MESSAGES[name], "session_id": session_id}
            for name in ("control characters", "lone surrogate", "all unicode planes", "very long")
        ]
        before = len(received)
        for event in strange:
            await client.emit("user_uttered", event)
            await _wait_for(received, len(received) + 1)
        replies = received[before:]
        count = len(received)
        await client.emit("user_uttered", {"message": "bonjour", "session_id": session_id})
        await _wait_for(received, count + 1)
        await client.disconnect()
        return replies, count, len(received)

    replies, before_last, after_last = asyncio.run(scenario())
    assert len(replies) >= 4, replies
    assert any("trop long" in (r.get("text") or "") for r in replies)
    assert after_last > before_last, "the last « bonjour » got no answer"


def test_socketio_polling_garbage_is_refused_without_5xx(stack: Stack) -> None:
    base = f"{stack.rasa_url}/socket.io/"
    for params, body in [
        ({"EIO": "4", "transport": "polling", "sid": "forged"}, b"\x00\xff" * 100),
        ({"EIO": "99", "transport": "polling"}, b""),
        ({"EIO": "4", "transport": "carrier-pigeon"}, b""),
    ]:
        response = httpx.post(base, params=params, content=body, timeout=30)
        assert response.status_code < 500, (params, response.status_code)


PORTAL_CASES: list[tuple[str, str, Any]] = [
    ("POST", "/api/v1/password-resets", b"{"),
    ("POST", "/api/v1/password-resets", b"\xff\xfe\x00binary"),
    ("POST", "/api/v1/password-resets", {"profile": ["affilie"], "dossier_number": 1234567}),
    (
        "POST",
        "/api/v1/password-resets",
        {"profile": "affilie", "dossier_number": "1234567' OR 1=1"},
    ),
    ("POST", "/api/v1/password-resets", {"profile": "affilie", "dossier_number": "١٢٣٤٥٦٧"}),
    ("POST", "/api/v1/password-resets", {"profile": "a" * 100_000, "dossier_number": "1"}),
    ("POST", "/api/v1/password-resets/not-an-id/delivery", {"channel": "email"}),
    ("POST", "/api/v1/password-resets/" + "0" * 32 + "/delivery", {"channel": "\x00"}),
    ("POST", "/api/v1/password-resets/complete", {"token": "<script>", "new_password": 1}),
    ("POST", "/api/v1/sessions", {"profile": "affilie", "dossier_number": None, "password": {}}),
    (
        "POST",
        "/api/v1/sessions",
        {"profile": "affilie", "dossier_number": "1234567", "password": "x" * 100_000},
    ),
    ("POST", "/api/v1/sessions", [1, 2, 3]),
    ("POST", "/api/v1/sessions", b"[" * 100_000 + b"]" * 100_000),
    ("GET", "/api/v1/files/" + "A" * 5000, None),
    ("GET", "/api/v1/files/%00%ff", None),
    ("GET", "/api/v1/email-verifications/'%20OR%201=1--", None),
    ("GET", "/api/v1/contact?at=not-a-date", None),
    ("GET", "/api/v1/contact?at=" + "9" * 400, None),
    ("GET", "/reset?token=%3Cscript%3Ealert(1)%3C/script%3E", None),
    ("POST", "/reset", b"token=\xff&new_password=\x00"),
    ("GET", "/api/v1/me", None),
    ("PATCH", "/api/v1/sessions", {}),
]


@pytest.mark.parametrize("method, path, body", PORTAL_CASES)
def test_portal_api_refuses_bad_input_cleanly(
    stack: Stack, method: str, path: str, body: Any
) -> None:
    kwargs: dict[str, Any] = {"timeout": 30}
    if isinstance(body, bytes):
        kwargs["content"] = body
        kwargs["headers"] = {"Content-Type": "application/json"}
    elif body is not None:
        kwargs["json"] = body
    response = httpx.request(method, stack.portal_url + path, **kwargs)
    assert response.status_code < 500, (response.status_code, response.text[:300])
    if path.startswith("/api/"):
        assert response.status_code >= 400, response.text[:300]
    if response.headers.get("content-type", "").startswith("application/json"):
        message = response.json()["error"]["message"]
        assert "Traceback" not in message and "SELECT" not in message
    assert "<script>alert" not in response.text


def test_portal_refuses_a_body_over_its_limit(stack: Stack) -> None:
    """Sanic answers 413 on the declared length and closes the connection; a client still
    writing may see the reset instead of the answer. Either way nothing is read, and the
    portal keeps serving."""
    body = b'{"a": "' + b"x" * (6 * 1024 * 1024) + b'"}'
    try:
        response = httpx.post(f"{stack.portal_url}/api/v1/sessions", content=body, timeout=60)
    except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
        pass
    else:
        assert response.status_code == 413
    assert httpx.get(f"{stack.portal_url}/health", timeout=10).status_code == 200


WEB_FORMS: list[tuple[str, bytes]] = [
    ("application/x-www-form-urlencoded", b"profile=affilie&dossier_number=%00%ff&password=x"),
    (
        "application/x-www-form-urlencoded",
        b"profile=affilie&dossier_number=<script>alert(1)</script>",
    ),
    ("application/x-www-form-urlencoded", b"profile=<script>alert(1)</script>&password=x"),
    ("application/x-www-form-urlencoded", b"\xff\xfe\x00\x01"),
    ("application/x-www-form-urlencoded", b"dossier_number=1234567'--&password="),
    ("multipart/form-data; boundary=zz", b'--zz\r\nContent-Disposition: form-data; name="a"'),
    ("application/json", b'{"profile": "affilie"}'),
    ("text/plain", os.urandom(1024)),
]


@pytest.mark.parametrize("content_type, body", WEB_FORMS)
def test_demo_site_login_form_survives_garbage(
    stack: Stack, content_type: str, body: bytes
) -> None:
    response = httpx.post(
        f"{stack.web_url}/espace-personnel",
        content=body,
        headers={"Content-Type": content_type},
        timeout=30,
    )
    assert response.status_code < 500, response.status_code
    assert "<script>alert(1)" not in response.text


def test_demo_site_refuses_a_huge_form(stack: Stack) -> None:
    response = httpx.post(
        f"{stack.web_url}/espace-personnel",
        content=b"password=" + b"x" * 100_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=30,
    )
    assert response.status_code == 413


FORM = "application/x-www-form-urlencoded"


def form(fields: dict[str, str]) -> bytes:
    return urlencode(fields).encode()


IVR_WEBHOOK_BODIES: dict[str, tuple[str, bytes]] = {
    "empty": (FORM, b""),
    "no CallSid": (FORM, b"SpeechResult=bonjour"),
    "binary": ("application/octet-stream", os.urandom(2048)),
    "json instead of a form": ("application/json", b'{"CallSid": "CA1", "SpeechResult": "x"}'),
    "broken multipart": ("multipart/form-data; boundary=zz", b"--zz\r\nContent-Disposition: fo"),
    "invalid utf-8": (FORM, b"CallSid=CAbad&SpeechResult=%ff%fe%00"),
    "control characters": (FORM, b"CallSid=CA%00%07&SpeechResult=bon%00jour%1b%5b31m"),
    "all unicode planes": (FORM, form({"CallSid": "CAplanes", "SpeechResult": ALL_PLANES})),
    "very long speech": (FORM, form({"CallSid": "CAlong", "SpeechResult": "allo " * 4000})),
    "keypad garbage": (FORM, b"CallSid=CAkeys&Digits=%2A%23abc%3Cscript%3E"),
    "confidence not a number": (FORM, b"CallSid=CAconf&SpeechResult=bonjour&Confidence=NaN"),
    "confidence huge": (FORM, b"CallSid=CAconf2&SpeechResult=bonjour&Confidence=1e999"),
    "sql injection": (
        FORM,
        urlencode({"CallSid": "CAsql", "SpeechResult": MESSAGES["sql injection"]}),
    ),
    "CallSid too long": (FORM, form({"CallSid": "CA" + "x" * 5000, "SpeechResult": "oui"})),
}


@pytest.mark.parametrize("name", list(IVR_WEBHOOK_BODIES))
def test_phone_webhook_survives_garbage(stack: Stack, name: str) -> None:
    """Twilio's webhook: a 4xx, or TwiML that says something in French; never a 5xx."""
    content_type, body = IVR_WEBHOOK_BODIES[name]
    response = httpx.post(
        f"{stack.rasa_url}/webhooks/ivr/webhook",
        content=body,
        headers={"Content-Type": content_type},
        timeout=60,
    )
    assert response.status_code < 500, (response.status_code, response.text[:300])
    assert "Traceback" not in response.text and "<script>" not in response.text
    if response.status_code == 200:
        twiml = ElementTree.fromstring(response.text)
        spoken = " ".join(say.text or "" for say in twiml.iter("Say"))
        assert spoken.strip(), response.text


IVR_TURN_BODIES: dict[str, bytes] = {
    "empty": b"",
    "truncated": b'{"call_id": "x", "text": "bon',
    "not json": b"call_id=x&text=bonjour",
    "binary": os.urandom(1024),
    "array": b'[{"call_id": "x"}]',
    "null": b"null",
    "call_id missing": b'{"text": "bonjour"}',
    "call_id number": b'{"call_id": 12, "text": "bonjour"}',
    "call_id object": b'{"call_id": {"a": 1}, "text": "bonjour"}',
    "text object": b'{"call_id": "CJobj", "text": {"a": 1}}',
    "digits list": b'{"call_id": "CJdig", "digits": [1, 2]}',
    "confidence string": b'{"call_id": "CJconf", "text": "oui", "confidence": "tres"}',
    "all unicode planes": json.dumps({"call_id": "CJplanes", "text": ALL_PLANES}).encode(),
    "very long text": json.dumps({"call_id": "CJlong", "text": "allo " * 4000}).encode(),
    "deep nesting": b'{"call_id": "CJdeep", "text": ' + b"[" * 5000 + b"]" * 5000 + b"}",
}


@pytest.mark.parametrize("name", list(IVR_TURN_BODIES))
def test_phone_json_turn_survives_garbage(stack: Stack, name: str) -> None:
    """The provider-neutral JSON turn: a 4xx, or a turn that says something; never a 5xx."""
    response = httpx.post(
        f"{stack.rasa_url}/webhooks/ivr/turn",
        content=IVR_TURN_BODIES[name],
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert response.status_code < 500, (response.status_code, response.text[:300])
    assert "Traceback" not in response.text
    if response.status_code == 200:
        assert " ".join(response.json()["say"]).strip()


@pytest.fixture(scope="module")
def console(stack: Stack) -> Iterator[httpx.Client]:
    """A support agent logged in to the console, like a browser (CSRF token, cookie)."""
    with httpx.Client(base_url=stack.console_url, timeout=30) as client:
        form = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token, form.text
        answer = client.post(
            "/login",
            data={"login": CONSOLE_LOGIN, "password": CONSOLE_PASSWORD, "csrf_token": token[1]},
        )
        assert answer.status_code == 303, answer.text
        yield client


CONSOLE_QUERIES = [
    "/conversations?since=hier&until=%00%ff",
    "/conversations?since=2026-13-45&until=0000-00-00",
    "/conversations?dossier=1234567%27%20OR%201%3D1%20--",
    "/conversations?sender=%3Cscript%3Ealert(1)%3C/script%3E",
    "/conversations?channel=" + "x" * 5000,
    "/conversations?page=-1",
    "/conversations?page=99999999999999999999999",
    "/conversations?intent=%F0%9F%91%8D%F0%9F%8F%BD&outcome=%00",
    "/api/conversations?since=%E2%80%AE2026-01-01",
    "/api/conversations?page=abc&handoff=peut-etre",
    "/conversations/..%2F..%2Fetc%2Fpasswd",
    "/conversations/%00%ff",
    "/conversations/" + "a" * 3000,
    "/api/conversations/%3Cscript%3E",
    "/export?format=xml",
    "/export?format=csv&since=demain",
    "/handoffs?page=abc",
    "/api/audit?page=-5",
    "/audit?page=99999999999999999999999",
]


@pytest.mark.parametrize("path", CONSOLE_QUERIES)
def test_console_refuses_bad_queries_cleanly(console: httpx.Client, path: str) -> None:
    response = console.get(path)
    assert response.status_code < 500, (response.status_code, response.text[:300])
    assert "Traceback" not in response.text and "SELECT" not in response.text
    assert "<script>alert(1)" not in response.text


CONSOLE_LOGIN_BODIES: list[tuple[str, bytes]] = [
    (FORM, b""),
    (FORM, b"login=%00%ff&password=x&csrf_token=x"),
    (FORM, b"login=admin%27--&password=%27%20OR%20%271%27%3D%271"),
    ("application/octet-stream", os.urandom(2048)),
    ("multipart/form-data; boundary=zz", b'--zz\r\nContent-Disposition: form-data; name="a"'),
    ("application/json", b'{"login": "a", "password": "b"}'),
    (FORM, b"login=<script>alert(1)</script>&password=x"),
    (FORM, b"password=" + b"x" * 200_000),
]


@pytest.mark.parametrize("content_type, body", CONSOLE_LOGIN_BODIES)
def test_console_login_survives_garbage(stack: Stack, content_type: str, body: bytes) -> None:
    """Anonymous garbage on the login form: refused (4xx), never a session, never a 5xx."""
    response = httpx.post(
        f"{stack.console_url}/login",
        content=body,
        headers={"Content-Type": content_type},
        timeout=30,
    )
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert "console_session" not in response.headers.get("set-cookie", "")
    assert "<script>alert(1)" not in response.text


def test_after_all_this_every_service_still_answers(stack: Stack, console: httpx.Client) -> None:
    """After the bad input of this module, the assistant, the console and the portal serve."""
    assert texts(stack.say(new_sender(), "bonjour")).startswith(("Bonjour", "Bonsoir"))
    assert console.get("/conversations").status_code == 200
    assert httpx.get(f"{stack.portal_url}/health", timeout=10).status_code == 200
