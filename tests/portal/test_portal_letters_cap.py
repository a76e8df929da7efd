"""The hourly cap on letters: past it a letter waits for a person, who releases or cancels it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from portal_testkit import SERVICE_KEY, Portal
from sqlalchemy import text

from carpimko.ops import metrics
from portal.config import Settings

pytestmark = pytest.mark.asyncio(loop_scope="module")
SERVICE = {"X-Service-Key": SERVICE_KEY}


@pytest.fixture
def one_letter_an_hour(portal: Portal) -> Iterator[Portal]:
    resources = portal.app.ctx.resources
    kept = resources.settings
    resources.settings = replace(kept, letters_per_hour=1)
    yield portal
    resources.settings = kept


async def reset_by_post(portal: Portal, dossier: str) -> dict:
    started = await portal.client.post(
        "/api/v1/password-resets", json={"profile": "affilie", "dossier_number": dossier}
    )
    assert started.status_code == 201, started.text
    delivered = await portal.client.post(
        f"/api/v1/password-resets/{started.json()['reset_id']}/delivery",
        json={"channel": "courrier"},
    )
    assert delivered.status_code == 200, delivered.text
    return dict(delivered.json())


async def held(portal: Portal) -> list[dict]:
    response = await portal.client.get("/api/v1/held-letters", headers=SERVICE)
    assert response.status_code == 200, response.text
    return list(response.json()["letters"])


def queued(queue: str) -> float:
    return metrics.LETTERS_QUEUED.labels(queue)._value.get()


async def test_the_cap_is_a_setting_with_a_default() -> None:
    assert Settings().letters_per_hour == 100
    env = {"CARPIMKO_DEMO": "1", "PORTAL_LETTERS_PER_HOUR": "3"}
    assert Settings.from_env(env).letters_per_hour == 3


async def test_past_the_cap_the_letter_waits_for_a_person(one_letter_an_hour: Portal) -> None:
    portal = one_letter_an_hour
    printed, reviewed = queued("impression"), queued("verification")
    first = await reset_by_post(portal, "2345678")
    assert first["letter_status"] == "a_imprimer"
    assert first["expected_delivery_date"] == "2025-11-17"
    before = await portal.outbox("4567890")
    second = await reset_by_post(portal, "4567890")
    assert second["letter_status"] == "a_verifier"
    assert second["expected_delivery_date"] is None
    # Not sent: the demo mailbox (what left) has nothing new for that dossier.
    assert await portal.outbox("4567890") == before
    assert portal.scalar("SELECT count(*) FROM outbox WHERE status = 'a_verifier'") == 1
    waiting = await held(portal)
    assert [(w["dossier_number"], w["status"]) for w in waiting] == [("4567890", "a_verifier")]
    assert "body" not in waiting[0] and "recipient" not in waiting[0]
    assert (queued("impression") - printed, queued("verification") - reviewed) == (1, 1)


async def test_an_hour_later_letters_leave_again(one_letter_an_hour: Portal) -> None:
    portal = one_letter_an_hour
    assert (await reset_by_post(portal, "2345678"))["letter_status"] == "a_imprimer"
    portal.clock.advance(minutes=61)
    assert (await reset_by_post(portal, "4567890"))["letter_status"] == "a_imprimer"


async def test_release_sends_the_held_letter_once(one_letter_an_hour: Portal) -> None:
    portal = one_letter_an_hour
    await reset_by_post(portal, "2345678")
    before = len(await portal.outbox("4567890"))
    await reset_by_post(portal, "4567890")
    letter_id = (await held(portal))[0]["letter_id"]
    portal.clock.advance(days=1)  # released Thursday: Fri 14, Mon 17, Tue 18
    printed = queued("impression")
    released = await portal.client.post(
        f"/api/v1/held-letters/{letter_id}/release", headers=SERVICE
    )
    assert released.status_code == 200, released.text
    assert released.json()["status"] == "a_imprimer"
    assert released.json()["expected_delivery_date"] == "2025-11-18"
    assert queued("impression") - printed == 1
    sent = await portal.outbox("4567890")
    assert len(sent) == before + 1 and "Mot de passe provisoire" in sent[0]["body"]
    assert await held(portal) == []
    again = await portal.client.post(f"/api/v1/held-letters/{letter_id}/cancel", headers=SERVICE)
    assert again.status_code == 409


async def test_cancel_erases_the_letter_and_never_sends_it(one_letter_an_hour: Portal) -> None:
    portal = one_letter_an_hour
    await reset_by_post(portal, "2345678")
    before = len(await portal.outbox("4567890"))
    await reset_by_post(portal, "4567890")
    letter_id = (await held(portal))[0]["letter_id"]
    cancelled = await portal.client.post(
        f"/api/v1/held-letters/{letter_id}/cancel", headers=SERVICE
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "annule"
    assert len(await portal.outbox("4567890")) == before
    body = portal.scalar("SELECT body FROM outbox WHERE id = :id", id=letter_id)
    assert "provisoire" not in body.lower()
    released = await portal.client.post(
        f"/api/v1/held-letters/{letter_id}/release", headers=SERVICE
    )
    assert released.status_code == 409


async def test_held_letters_are_for_services_only(portal: Portal) -> None:
    assert (await portal.client.get("/api/v1/held-letters")).status_code == 401
    response = await portal.client.post("/api/v1/held-letters/1/release")
    assert response.status_code == 401
    missing = await portal.client.post("/api/v1/held-letters/999/release", headers=SERVICE)
    assert missing.status_code == 404


async def test_the_cap_covers_every_letter_of_the_portal(one_letter_an_hour: Portal) -> None:
    portal = one_letter_an_hour
    await reset_by_post(portal, "4567890")
    with portal.engine.begin() as connection:  # Luc without a verified e-mail: told by post
        connection.execute(
            text("UPDATE members SET email_verified = :no WHERE dossier_number = '3456789'"),
            {"no": False},
        )
    headers = await portal.login("3456789")
    changed = await portal.client.post(
        "/api/v1/me/address",
        headers=headers,
        json={"line1": "5 rue Neuve", "postal_code": "69003", "city": "Lyon"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["notification_channel"] == "courrier"
    assert changed.json()["letter_status"] == "a_verifier"
