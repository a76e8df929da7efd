"""Files uploaded ahead of their message (chat widget): owner only, used once, expiring."""

from __future__ import annotations

import httpx
import pytest
from portal_testkit import Portal

pytestmark = pytest.mark.asyncio(loop_scope="module")
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


async def upload(portal: Portal, headers: dict[str, str], name: str, data: bytes) -> httpx.Response:
    return await portal.client.post(
        "/api/v1/me/uploads", headers=headers, files={"file": (name, data, "application/pdf")}
    )


async def test_uploaded_file_is_described_then_sent_with_the_sick_leave(portal: Portal) -> None:
    headers = await portal.login("7654321")
    stored = await upload(portal, headers, "arrêt prolongé.pdf", PDF)
    assert stored.status_code == 201, stored.text
    body = stored.json()
    assert body["name"] == "arrêt prolongé.pdf" and body["size"] == len(PDF)
    assert body["content_type"] == "application/pdf" and body["used"] is False
    upload_id = body["upload_id"]
    described = await portal.client.get(f"/api/v1/me/uploads/{upload_id}", headers=headers)
    assert described.status_code == 200 and described.json()["name"] == "arrêt prolongé.pdf"

    sent = await portal.client.post(
        "/api/v1/me/sick-leave-extensions",
        headers=headers,
        json={"upload_id": upload_id, "comment": "Prolongation jusqu'au 5 décembre 2025."},
    )
    assert sent.status_code == 201, sent.text
    message = sent.json()
    assert message["service_label"] == "Service Invalidité-Décès"
    assert message["attachment"]["name"] == "arrêt prolongé.pdf"
    stored_bytes = portal.scalar(
        "SELECT attachment FROM messages WHERE reference = :r", r=message["reference"]
    )
    assert bytes(stored_bytes) == PDF

    again = await portal.client.post(
        "/api/v1/me/sick-leave-extensions", headers=headers, json={"upload_id": upload_id}
    )
    assert again.status_code == 410 and "déjà été envoyé" in again.json()["error"]["message"]


async def test_message_to_a_service_with_an_uploaded_file(portal: Portal) -> None:
    headers = await portal.login("1234567")
    upload_id = (await upload(portal, headers, "avis.pdf", PDF)).json()["upload_id"]
    sent = await portal.client.post(
        "/api/v1/me/messages",
        headers=headers,
        json={
            "service": "cotisations",
            "subject": "Avis d'imposition",
            "body": "Voici mon avis d'imposition.",
            "upload_id": upload_id,
        },
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["attachment"]["name"] == "avis.pdf"


async def test_another_members_upload_is_not_found(portal: Portal) -> None:
    owner = await portal.login("7654321")
    upload_id = (await upload(portal, owner, "arret.pdf", PDF)).json()["upload_id"]
    other = await portal.login("1234567")
    seen = await portal.client.get(f"/api/v1/me/uploads/{upload_id}", headers=other)
    assert seen.status_code == 404
    used = await portal.client.post(
        "/api/v1/me/sick-leave-extensions", headers=other, json={"upload_id": upload_id}
    )
    assert used.status_code == 404 and used.json()["error"]["field"] == "upload_id"
    assert portal.scalar("SELECT used_at FROM pending_uploads WHERE id = :i", i=upload_id) is None


async def test_upload_refuses_wrong_type_too_large_and_no_session(portal: Portal) -> None:
    headers = await portal.login("7654321")
    text_file = await upload(portal, headers, "arret.pdf", b"just some text, not a PDF")
    assert text_file.status_code == 415
    assert "PDF, JPG, JPEG et PNG" in text_file.json()["error"]["message"]
    big = await upload(portal, headers, "gros.pdf", PDF + b"0" * (256 * 1024))
    assert big.status_code == 413 and "taille maximale" in big.json()["error"]["message"]
    no_file = await portal.client.post(
        "/api/v1/me/uploads", headers=headers, files={"other": ("a.pdf", PDF, "application/pdf")}
    )
    assert no_file.status_code == 422 and no_file.json()["error"]["field"] == "file"
    anonymous = await portal.client.post(
        "/api/v1/me/uploads", files={"file": ("a.pdf", PDF, "application/pdf")}
    )
    assert anonymous.status_code == 401
    assert portal.scalar("SELECT count(*) FROM pending_uploads") == 0


async def test_pending_upload_expires_after_an_hour(portal: Portal) -> None:
    headers = await portal.login("7654321")
    upload_id = (await upload(portal, headers, "arret.pdf", PDF)).json()["upload_id"]
    portal.clock.advance(hours=1, seconds=1)
    headers = await portal.login("7654321")
    late = await portal.client.post(
        "/api/v1/me/sick-leave-extensions", headers=headers, json={"upload_id": upload_id}
    )
    assert late.status_code == 410


async def test_file_and_upload_id_together_are_refused(portal: Portal) -> None:
    headers = await portal.login("7654321")
    upload_id = (await upload(portal, headers, "arret.pdf", PDF)).json()["upload_id"]
    both = await portal.client.post(
        "/api/v1/me/sick-leave-extensions",
        headers=headers,
        data={"upload_id": upload_id},
        files={"file": ("b.pdf", PDF, "application/pdf")},
    )
    assert both.status_code == 422 and both.json()["error"]["field"] == "upload_id"
