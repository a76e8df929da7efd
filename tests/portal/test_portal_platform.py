"""Errors, OpenAPI, transactions, migrations, the outbox and SMTP delivery."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from email import message_from_string, policy

import httpx
import pytest
import pytest_asyncio
from portal_testkit import SERVICE_KEY, START, FakeClock, Portal, served

from portal.app import create_app
from portal.config import Settings
from portal.services import rib

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_health_and_unknown_routes_answer_json_in_french(portal: Portal) -> None:
    assert (await portal.client.get("/health")).json()["status"] == "ok"
    missing = await portal.client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {"code": "introuvable", "message": "Cette adresse n'existe pas."}
    }
    wrong_method = await portal.client.delete("/api/v1/contact")
    assert wrong_method.status_code == 405 and "méthode" in wrong_method.json()["error"]["message"]


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"", b"\xff\xfe"])
async def test_malformed_bodies_are_refused_with_400(portal: Portal, content: bytes) -> None:
    response = await portal.client.post(
        "/api/v1/password-resets", content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "requete_invalide"
    assert portal.scalar("SELECT count(*) FROM password_resets") == 0


async def test_a_failure_midway_leaves_nothing_half_written(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = await portal.login("7654321")
    change = (
        await portal.client.post(
            "/api/v1/me/rib-changes",
            headers=headers,
            json={
                "iban": "FR7630004008260001234567871",
                "bic": "BNPAFRPP",
                "holder_name": "Sophie Bernard",
            },
        )
    ).json()
    code = (await portal.outbox("7654321"))[0]["body"].split("code de confirmation : ")[1][:6]
    outbox = portal.scalar("SELECT count(*) FROM outbox")

    def broken_notify(*_args: object) -> str:
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(rib, "notify", broken_notify)
    response = await portal.client.post(
        f"/api/v1/me/rib-changes/{change['change_id']}/confirm",
        headers=headers,
        json={"code": code},
    )
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "erreur_interne"
    assert "fire" not in response.text and "Traceback" not in response.text
    assert portal.scalar("SELECT iban FROM members WHERE dossier_number = '7654321'") == (
        "FR7610278024500002012340156"
    )
    assert portal.scalar("SELECT count(*) FROM rib_changes WHERE confirmed_at IS NOT NULL") == 0
    assert portal.scalar("SELECT count(*) FROM procedures") == 0
    assert portal.scalar("SELECT count(*) FROM outbox") == outbox
    monkeypatch.undo()
    retry = await portal.client.post(
        f"/api/v1/me/rib-changes/{change['change_id']}/confirm",
        headers=headers,
        json={"code": code},
    )
    assert retry.status_code == 200


async def test_demo_mailbox_lists_mail_and_escapes_it(portal: Portal) -> None:
    headers = await portal.login("1234567")
    await portal.client.post(
        "/api/v1/me/address",
        headers=headers,
        json={
            "line1": "<b>12</b> rue <script>alert(1)</script>",
            "postal_code": "69003",
            "city": "Lyon",
        },
    )
    page = await portal.client.get("/demo/mailbox", params={"dossier_number": "1234567"})
    assert page.status_code == 200
    assert "Changement d&#x27;adresse enregistré" in page.text
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;" in page.text
    bad = await portal.client.get("/api/v1/demo/outbox", params={"dossier_number": "abc"})
    assert bad.status_code == 422


@pytest_asyncio.fixture(loop_scope="module")
async def production_client(settings: Settings, seeded: object) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        settings.with_overrides(demo_mode=False),
        FakeClock(START),
        name=f"portal_prod_{uuid.uuid4().hex[:8]}",
    )
    async with served(app) as client:
        yield client


async def test_demo_pages_do_not_exist_outside_demo_mode(
    production_client: httpx.AsyncClient,
) -> None:
    assert (await production_client.get("/demo/mailbox")).status_code == 404
    assert (await production_client.get("/api/v1/demo/outbox")).status_code == 404
    spec = (await production_client.get("/openapi.json")).json()
    assert "/demo/mailbox" not in spec["paths"]


class FakeSMTP:
    """Just enough of an SMTP server on loopback to receive one message."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 fake ESMTP\r\n")
        data_mode = False
        lines: list[str] = []
        while line := await reader.readline():
            text = line.decode("utf-8", "replace")
            if data_mode:
                if text in (".\r\n", ".\n"):
                    self.messages.append("".join(lines))
                    data_mode, lines = False, []
                    writer.write(b"250 queued\r\n")
                else:
                    lines.append(text)
                continue
            verb = text[:4].upper()
            if verb == "EHLO":
                writer.write(b"250-fake\r\n250 8BITMIME\r\n")
            elif verb == "DATA":
                data_mode = True
                writer.write(b"354 go ahead\r\n")
            elif verb == "QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()
        writer.close()


async def test_emails_are_delivered_over_smtp_when_configured(
    settings: Settings, seeded: object
) -> None:
    smtp = FakeSMTP()
    smtp_server = await asyncio.start_server(smtp.handle, "127.0.0.1", 0)
    smtp_port = smtp_server.sockets[0].getsockname()[1]
    configured = settings.with_overrides(
        smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_starttls=False
    )
    app = create_app(configured, FakeClock(START), name=f"portal_smtp_{uuid.uuid4().hex[:8]}")
    async with served(app) as client:
        reset = (
            await client.post(
                "/api/v1/password-resets", json={"profile": "affilie", "dossier_number": "1234567"}
            )
        ).json()
        await client.post(
            f"/api/v1/password-resets/{reset['reset_id']}/delivery", json={"channel": "email"}
        )
        for _ in range(100):
            outbox = (
                await client.get("/api/v1/demo/outbox", params={"dossier_number": "1234567"})
            ).json()["messages"]
            if outbox[0]["status"] == "envoye":
                break
            await asyncio.sleep(0.05)
    smtp_server.close()
    assert outbox[0]["status"] == "envoye"
    assert len(smtp.messages) == 1
    mail = message_from_string(smtp.messages[0], policy=policy.default)
    assert mail["To"] == "jeanne.dupont@example.fr"
    assert mail["Subject"] == "Demande de réinitialisation du mot de passe"
    assert "http://portal.test/reset?token=" in mail.get_content()


async def test_service_key_alone_cannot_forge_a_client_address(portal: Portal) -> None:
    # Without a valid service key, X-Forwarded-For is ignored for rate limiting.
    for _ in range(10):
        await portal.client.post(
            "/api/v1/password-resets",
            json={"profile": "affilie", "dossier_number": "7654321"},
            headers={"X-Forwarded-For": f"198.51.100.{_}"},
        )
    assert portal.scalar("SELECT count(*) FROM password_resets") == 3
    ok = await portal.client.post(
        "/api/v1/password-resets",
        json={"profile": "affilie", "dossier_number": "3456789"},
        headers={"X-Forwarded-For": "198.51.100.200", "X-Service-Key": SERVICE_KEY},
    )
    assert ok.status_code == 201
