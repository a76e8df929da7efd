"""Secure messaging: routing to services, uploads checked by content and size."""

from __future__ import annotations

import asyncio
import json

import pytest
from portal_testkit import Portal

pytestmark = pytest.mark.asyncio(loop_scope="module")
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40


async def test_message_with_attachment_is_routed_and_kept_in_the_history(portal: Portal) -> None:
    headers = await portal.login("7654321")
    response = await portal.client.post(
        "/api/v1/me/messages",
        headers=headers,
        data={"service": "cotisations", "subject": "Échéancier", "body": "Bonjour,\nMerci."},
        files={"file": ("relevé.pdf", PDF, "application/octet-stream")},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["service_label"] == "Service Cotisations"
    assert body["attachment"] == {
        "name": "relevé.pdf",
        "content_type": "application/pdf",
        "size": len(PDF),
    }
    history = (await portal.client.get("/api/v1/me/messages", headers=headers)).json()
    assert history["messages"][0]["reference"] == body["reference"]
    assert history["count"] == 3  # two seeded exchanges with Invalidité-Décès
    stored = portal.scalar(
        "SELECT attachment FROM messages WHERE reference = :r", r=body["reference"]
    )
    assert bytes(stored) == PDF


async def test_text_message_as_json(portal: Portal) -> None:
    headers = await portal.login("1234567")
    response = await portal.client.post(
        "/api/v1/me/messages",
        headers=headers,
        json={"service": "retraite", "subject": "Question", "body": "Quand partir ?"},
    )
    assert response.status_code == 201 and response.json()["attachment"] is None


async def test_sick_leave_extension_goes_to_invalidite_deces(portal: Portal) -> None:
    headers = await portal.login("7654321")
    response = await portal.client.post(
        "/api/v1/me/sick-leave-extensions",
        headers=headers,
        files={"file": ("arret.txt", JPEG, "text/plain")},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["service"] == "invalidite_deces"
    assert body["service_label"] == "Service Invalidité-Décès"
    assert body["subject"] == "Prolongation d'arrêt de travail"
    # Judged by content: a JPEG named .txt is a JPEG, and is named so.
    assert body["attachment"]["content_type"] == "image/jpeg"
    assert body["attachment"]["name"] == "arret.txt.jpg"
    png = await portal.client.post(
        "/api/v1/me/sick-leave-extensions",
        headers=headers,
        files={"file": ("scan.png", PNG, "image/png")},
        data={"comment": "Prolongation jusqu'au 30/11."},
    )
    assert png.status_code == 201 and png.json()["body"] == "Prolongation jusqu'au 30/11."


@pytest.mark.parametrize(
    "name, content, status",
    [
        ("arret.pdf", b"MZ\x90\x00\x03" + b"\x00" * 60, 415),  # an executable named .pdf
        ("arret.pdf", b"Ceci n'est pas un PDF", 415),
        ("arret.gif", b"GIF89a" + b"\x00" * 40, 415),
        ("arret.pdf", b"", 422),
        ("arret.pdf", b"%PDF-1.4\n" + b"0" * (256 * 1024), 413),  # over the 256 KiB test limit
    ],
)
async def test_uploads_are_checked_by_content_and_size(
    portal: Portal, name: str, content: bytes, status: int
) -> None:
    headers = await portal.login("7654321")
    before = portal.scalar("SELECT count(*) FROM messages")
    response = await portal.client.post(
        "/api/v1/me/sick-leave-extensions",
        headers=headers,
        files={"file": (name, content, "application/pdf")},
    )
    assert response.status_code == status
    assert response.json()["error"]["message"]
    assert portal.scalar("SELECT count(*) FROM messages") == before


async def test_body_over_the_request_limit_is_refused_in_json(portal: Portal) -> None:
    headers = await portal.login("7654321")
    huge = b"%PDF-1.4\n" + b"0" * (600 * 1024)
    request = portal.client.build_request(
        "POST",
        "/api/v1/me/sick-leave-extensions",
        headers=headers,
        files={"file": ("gros.pdf", huge, "application/pdf")},
    )
    # The portal answers 413 as soon as it reads the declared length and closes the
    # connection: an HTTP client still sending the body may see a reset instead of the answer
    # (a race on a busy machine). Send the head and a first slice, then read, as a slow
    # browser upload would be answered.
    body = request.read()
    head = f"POST {request.url.raw_path.decode()} HTTP/1.1\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in request.headers.items()
    )
    reader, writer = await asyncio.open_connection(request.url.host, request.url.port)
    try:
        writer.write(head.encode("latin-1") + b"\r\n" + body[:16384])
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(65536), timeout=30)
    finally:
        writer.close()
    status_line, _, rest = answer.partition(b"\r\n")
    assert b" 413 " in status_line
    payload = json.loads(rest.partition(b"\r\n\r\n")[2])
    assert "taille maximale" in payload["error"]["message"]


@pytest.mark.parametrize(
    "data, field",
    [
        ({"service": "inconnu", "subject": "x", "body": "y"}, "service"),
        ({"service": "retraite", "body": "y"}, "subject"),
        ({"service": "retraite", "subject": "x" * 201, "body": "y"}, "subject"),
        ({"service": "retraite", "subject": "x"}, "body"),
    ],
)
async def test_message_fields_are_validated(portal: Portal, data: dict, field: str) -> None:
    headers = await portal.login("1234567")
    response = await portal.client.post("/api/v1/me/messages", headers=headers, data=data)
    assert response.status_code == 422 and response.json()["error"]["field"] == field


async def test_sick_leave_needs_a_file_and_a_form(portal: Portal) -> None:
    headers = await portal.login("7654321")
    missing = await portal.client.post(
        "/api/v1/me/sick-leave-extensions", headers=headers, data={"comment": "oubli"}
    )
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "file"
    wrong_type = await portal.client.post(
        "/api/v1/me/sick-leave-extensions",
        headers={**headers, "Content-Type": "text/plain"},
        content=b"raw",
    )
    assert wrong_type.status_code == 400
