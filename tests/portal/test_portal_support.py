"""Contact details and opening hours; handoff and callback tickets."""

from __future__ import annotations

import pytest
from portal_testkit import SERVICE_KEY, Portal

pytestmark = pytest.mark.asyncio(loop_scope="module")
SERVICE = {"X-Service-Key": SERVICE_KEY}


@pytest.mark.parametrize(
    "at, open_now, next_opening",
    [
        ("2025-11-17T09:00:00+01:00", True, "2025-11-18T08:45:00+01:00"),  # Monday morning
        ("2025-11-17T12:45:00+01:00", False, "2025-11-18T08:45:00+01:00"),  # closing time
        ("2025-11-15T10:00:00+01:00", False, "2025-11-17T08:45:00+01:00"),  # Saturday
        ("2025-12-24T13:00:00+01:00", False, "2025-12-26T08:45:00+01:00"),  # Christmas closed
        ("2025-11-11T10:00:00+01:00", False, "2025-11-12T08:45:00+01:00"),  # Armistice
        ("2025-11-17T07:00:00Z", False, "2025-11-17T08:45:00+01:00"),  # 08:00 in Paris
    ],
)
async def test_contact_and_opening_hours(
    portal: Portal, at: str, open_now: bool, next_opening: str
) -> None:
    response = await portal.client.get("/api/v1/contact", params={"at": at})
    body = response.json()
    assert body["phone"] == "01 30 48 10 00"
    assert body["opening_hours"]["opens"] == "08:45" and body["opening_hours"]["closes"] == "12:45"
    assert body["open_now"] is open_now
    assert body["next_opening"] == next_opening
    assert (body["closes_at"] is not None) is open_now


async def test_contact_without_time_uses_now_and_rejects_bad_times(portal: Portal) -> None:
    assert (await portal.client.get("/api/v1/contact")).json()["open_now"] is True  # Wed 10:00
    bad = await portal.client.get("/api/v1/contact", params={"at": "demain"})
    assert bad.status_code == 422


async def test_handoff_ticket_lifecycle(portal: Portal) -> None:
    response = await portal.client.post(
        "/api/v1/handoffs",
        headers=SERVICE,
        json={
            "conversation_id": "conv-42",
            "channel": "web",
            "summary": "Lien expiré deux fois",
            "dossier_number": "1234567",
        },
    )
    assert response.status_code == 201, response.text
    ticket = response.json()
    assert ticket["reference"].startswith("CONS-20251112-") and ticket["status"] == "open"
    listed = (
        await portal.client.get("/api/v1/handoffs", headers=SERVICE, params={"status": "open"})
    ).json()
    assert [t["conversation_id"] for t in listed["tickets"]] == ["conv-42"]
    url = f"/api/v1/handoffs/{ticket['ticket_id']}/close"
    closed = await portal.client.post(url, headers=SERVICE)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert (await portal.client.post(url, headers=SERVICE)).status_code == 409
    assert (
        await portal.client.get("/api/v1/handoffs", headers=SERVICE, params={"status": "open"})
    ).json()["count"] == 0
    missing = await portal.client.post("/api/v1/handoffs/99999/close", headers=SERVICE)
    assert missing.status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"channel": "web"}, "conversation_id"),
        ({"conversation_id": "c", "channel": "fax"}, "channel"),
        ({"conversation_id": "c", "channel": "web", "dossier_number": "12"}, "dossier_number"),
    ],
)
async def test_handoff_input_is_validated(portal: Portal, body: dict, field: str) -> None:
    response = await portal.client.post("/api/v1/handoffs", headers=SERVICE, json=body)
    assert response.status_code == 422 and response.json()["error"]["field"] == field
    assert portal.scalar("SELECT count(*) FROM tickets") == 0


async def test_callback_with_a_french_number_and_a_slot_in_opening_hours(portal: Portal) -> None:
    response = await portal.client.post(
        "/api/v1/callbacks",
        headers=SERVICE,
        json={
            "conversation_id": "conv-7",
            "phone": "06 12 34 56 78",
            "preferred_slot": "2025-11-13T09:30:00+01:00",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["phone"] == "+33612345678" and body["reference"].startswith("RAP-")
    assert body["preferred_slot"] == "2025-11-13T08:30:00+00:00"
    listed = (await portal.client.get("/api/v1/callbacks", headers=SERVICE)).json()
    assert listed["count"] == 1


@pytest.mark.parametrize(
    "phone, slot",
    [
        ("+1 202 555 0143", None),
        ("06 12", None),
        ("pas un numéro", None),
        ("0612345678", "2025-11-13T14:00:00+01:00"),  # afternoon: closed
        ("0612345678", "2025-11-15T09:30:00+01:00"),  # Saturday
        ("0612345678", "2025-11-10T09:30:00+01:00"),  # in the past
    ],
)
async def test_callback_input_is_validated(portal: Portal, phone: str, slot: str | None) -> None:
    body = {"conversation_id": "c", "phone": phone}
    if slot:
        body["preferred_slot"] = slot
    response = await portal.client.post("/api/v1/callbacks", headers=SERVICE, json=body)
    assert response.status_code == 422
    assert portal.scalar("SELECT count(*) FROM tickets") == 0
