"""Letters held over the portal's hourly cap: the console lists them masked, a staff member
releases or cancels one (CSRF, audit), and the portal sends it or never does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
import pytest_asyncio
from console_testkit import FAST_HASHER, STAFF_LOGIN, log_in, served

from console import staff
from console.app import create_app
from console.config import Settings
from portal.app import create_app as create_portal
from portal.config import Settings as PortalSettings
from portal.db import migrate, unit_of_work
from portal.security import make_hasher
from portal.seed import seed
from tests.portal.portal_testkit import START, FakeClock

pytestmark = pytest.mark.asyncio
KEY = "console-letters-service-key-0123456789"


@dataclass
class Desk:
    """A real portal allowing one letter an hour, and the console logged in beside it."""

    portal: httpx.AsyncClient
    console: httpx.AsyncClient
    csrf: str
    settings: Settings

    async def reset_by_post(self, dossier: str) -> dict:
        started = await self.portal.post(
            "/api/v1/password-resets", json={"profile": "affilie", "dossier_number": dossier}
        )
        delivered = await self.portal.post(
            f"/api/v1/password-resets/{started.json()['reset_id']}/delivery",
            json={"channel": "courrier"},
        )
        assert delivered.status_code == 200, delivered.text
        return dict(delivered.json())

    async def mailbox(self, dossier: str) -> list[dict]:
        answer = await self.portal.get("/api/v1/demo/outbox", params={"dossier_number": dossier})
        return list(answer.json()["messages"])


@pytest_asyncio.fixture
async def desk(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Desk]:
    url = f"sqlite:///{tmp_path_factory.mktemp('portal') / 'portal.sqlite3'}"
    migrate(url)
    portal_settings = PortalSettings(
        database_url=url, secret="s" * 40, service_key=KEY, demo_mode=True, letters_per_hour=1,
        argon2_time_cost=1, argon2_memory_kib=1024,
    )  # fmt: skip
    portal_app = create_portal(portal_settings, FakeClock(START), name="portal_letters")
    async with served(portal_app) as portal:
        unit_of_work(portal_app.ctx.resources.engine, seed, make_hasher(portal_settings), START)
        linked = Settings(**{**vars(settings), "portal_url": str(portal.base_url).rstrip("/"),
                             "portal_service_key": KEY})  # fmt: skip
        async with served(create_app(linked, "console_letters", FAST_HASHER)) as console:
            csrf = await log_in(console)
            yield Desk(portal, console, csrf, linked)


async def test_a_held_letter_is_listed_masked_and_released_once(desk: Desk) -> None:
    assert (await desk.reset_by_post("2345678"))["letter_status"] == "a_imprimer"
    before = len(await desk.mailbox("4567890"))
    assert (await desk.reset_by_post("4567890"))["letter_status"] == "a_verifier"
    queue = (await desk.console.get("/api/letters")).json()
    assert queue["count"] == 1
    letter = queue["letters"][0]
    assert letter["dossier_number"] == "*****90"
    assert "mot de passe provisoire" in letter["subject"]
    page = await desk.console.get("/letters")
    assert page.status_code == 200 and "*****90" in page.text
    assert "4567890" not in page.text and "boulevard" not in page.text
    url = f"/letters/{letter['letter_id']}/release"
    assert (await desk.console.post(url)).status_code == 403  # no CSRF token
    assert len(await desk.mailbox("4567890")) == before
    done = await desk.console.post(url, data={"csrf_token": desk.csrf})
    assert done.status_code == 303 and done.headers["location"] == "/letters?fait=release"
    sent = await desk.mailbox("4567890")
    assert len(sent) == before + 1 and "Mot de passe provisoire" in sent[0]["body"]
    assert (await desk.console.get("/api/letters")).json()["count"] == 0
    again = await desk.console.post(url, data={"csrf_token": desk.csrf})
    assert again.status_code == 409 and "déjà été traité" in again.text
    entries, _ = staff.audit_entries(staff.open_store(desk.settings.database_url), 20)
    released = [e for e in entries if e["action"] == "courrier_envoye"]
    assert len(released) == 1 and released[0]["actor"] == STAFF_LOGIN
    assert released[0]["detail"]["dossier"] == "*****90"


async def test_a_cancelled_letter_never_leaves(desk: Desk) -> None:
    await desk.reset_by_post("2345678")
    before = len(await desk.mailbox("4567890"))
    await desk.reset_by_post("4567890")
    letter_id = (await desk.console.get("/api/letters")).json()["letters"][0]["letter_id"]
    answer = await desk.console.post(
        f"/api/letters/{letter_id}/cancel", headers={"X-CSRF-Token": desk.csrf}
    )
    assert answer.status_code == 200 and answer.json()["status"] == "annule"
    assert len(await desk.mailbox("4567890")) == before
    assert (await desk.console.get("/api/letters")).json()["count"] == 0
    entries, _ = staff.audit_entries(staff.open_store(desk.settings.database_url), 20)
    assert any(e["action"] == "courrier_annule" for e in entries)


async def test_the_letters_queue_says_when_the_portal_is_down(client: httpx.AsyncClient) -> None:
    await log_in(client)
    page = await client.get("/letters")
    assert page.status_code == 502 and "Le portail ne répond pas" in page.text
    assert (await client.get("/api/letters")).json()["error"]["code"] == "portail_indisponible"
