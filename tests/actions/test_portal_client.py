"""PortalClient against the real portal app, a closed port and a portal that never answers."""

from __future__ import annotations

import time
from datetime import date

import pytest
from portal_testkit import START

from actions.config import load_settings
from actions.portal_client import PortalClient, PortalRejected, PortalUnavailable

pytestmark = pytest.mark.asyncio(loop_scope="session")


def client(identity: str = "conversation-test") -> PortalClient:
    return PortalClient(load_settings(), client_id=identity)


async def test_settings_cap_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_TIMEOUT", "30")
    monkeypatch.setenv("PORTAL_READ_RETRIES", "5")
    settings = load_settings()
    assert settings.portal_timeout == 2.0
    assert settings.portal_read_retries == 1


async def test_contact_comes_from_the_portal(live_portal) -> None:
    async with client() as portal:
        info = await portal.contact()
    assert info.phone == "01 30 48 10 00"
    assert info.open_now is True  # Wednesday 10:00 in Paris
    assert "8 h 45" in info.hours_text
    assert "Saint-Quentin-en-Yvelines" in info.address


async def test_reset_by_email_gives_a_masked_address_and_a_24_hour_link(live_portal) -> None:
    async with client() as portal:
        started = await portal.start_reset("affilie", "1234567")
        assert started.channels == ("email", "courrier")
        assert started.email_possible
        assert started.masked_email and "jeanne" not in started.masked_email
        delivery = await portal.deliver_reset(started.reset_id, "email")
    assert delivery.channel == "email"
    assert delivery.link_expires_at is not None
    assert (delivery.link_expires_at - START).total_seconds() == 24 * 3600


async def test_reset_by_post_gives_the_expected_delivery_date(live_portal) -> None:
    async with client() as portal:
        started = await portal.start_reset("affilie", "2345678")
        assert started.channels == ("courrier",)
        assert not started.email_possible
        delivery = await portal.deliver_reset(started.reset_id, "courrier")
    # Wednesday 12 November 2025 + 3 working days (11 November is before): Monday 17.
    assert delivery.expected_delivery_date == date(2025, 11, 17)


async def test_unknown_dossier_is_rejected_with_the_portal_message(live_portal) -> None:
    async with client() as portal:
        with pytest.raises(PortalRejected) as caught:
            await portal.start_reset("affilie", "9999999")
    assert caught.value.status == 404
    assert caught.value.code == "dossier_inconnu"
    assert caught.value.message == "Numéro de dossier ou profil incorrect."


async def test_a_length_is_never_refused_for_a_profile(live_portal) -> None:
    """7 or 9 digits for either profile: an affilié's number with « ayant droit » is unknown."""
    async with client() as portal:
        with pytest.raises(PortalRejected) as caught:
            await portal.start_reset("ayant_droit", "1234567")
    assert caught.value.status == 404
    assert caught.value.message == "Numéro de dossier ou profil incorrect."


async def test_rate_limit_follows_the_forwarded_end_user(live_portal) -> None:
    # Per-dossier limit is 3 an hour in the test settings; per client 50.
    async with client("user-a") as portal:
        for _ in range(3):
            await portal.start_reset("affilie", "1234567")
        with pytest.raises(PortalRejected) as caught:
            await portal.start_reset("affilie", "1234567")
    assert caught.value.status == 429
    assert caught.value.code == "trop_de_tentatives"


async def test_handoff_ticket(live_portal) -> None:
    async with client() as portal:
        ticket = await portal.create_handoff("conv-1", "web", "Sujets : contact.")
    assert ticket.reference.startswith("CONS-")
    assert ticket.status == "open"


async def test_callback_ticket_and_invalid_phone(live_portal) -> None:
    async with client() as portal:
        ticket = await portal.create_callback("conv-2", "+33612345678", "web", "Sujets : aucun.")
        assert ticket.reference.startswith("RAP-")
        with pytest.raises(PortalRejected) as caught:
            await portal.create_callback("conv-2", "12", "web", "x")
    assert caught.value.field == "phone"


async def test_wrong_service_key_is_a_rejection(live_portal, monkeypatch) -> None:
    monkeypatch.setenv("PORTAL_SERVICE_KEY", "wrong-key-0000000000000000000000000000")
    async with client() as portal:
        with pytest.raises(PortalRejected) as caught:
            await portal.create_handoff("conv-3", "web", "x")
    assert caught.value.status == 401


async def test_portal_down_is_unavailable_quickly(closed_port) -> None:
    started = time.monotonic()
    async with client() as portal:
        with pytest.raises(PortalUnavailable):
            await portal.contact()
        with pytest.raises(PortalUnavailable):
            await portal.start_reset("affilie", "1234567")
    assert time.monotonic() - started < 3


async def test_portal_timeout_on_a_read_stays_under_three_seconds(hung_portal) -> None:
    started = time.monotonic()
    async with client() as portal:
        with pytest.raises(PortalUnavailable):
            await portal.contact()  # GET: one retry, but within the 2.5 s budget
    elapsed = time.monotonic() - started
    assert 1.9 < elapsed < 3


async def test_portal_timeout_on_a_write_is_not_retried(hung_portal) -> None:
    started = time.monotonic()
    async with client() as portal:
        with pytest.raises(PortalUnavailable):
            await portal.start_reset("affilie", "1234567")
    elapsed = time.monotonic() - started
    assert 1.9 < elapsed < 2.5


async def test_client_must_be_entered() -> None:
    with pytest.raises(RuntimeError):
        await PortalClient(load_settings()).contact()
