"""Password reset and first login, as the fund's guides describe them."""

from __future__ import annotations

import hashlib
import re

import pytest
from portal_testkit import SERVICE_KEY, Portal

from portal.seed import DEMO_PASSWORD, DEMO_TEMPORARY_PASSWORD

pytestmark = pytest.mark.asyncio(loop_scope="module")
NEW_PASSWORD = "Nouveau2025x"


async def start(portal: Portal, dossier: str, profile: str = "affilie", **headers: str):
    return await portal.client.post(
        "/api/v1/password-resets",
        headers=headers,
        json={"profile": profile, "dossier_number": dossier},
    )


async def email_link_token(portal: Portal, dossier: str = "1234567") -> str:
    reset = await start(portal, dossier, "affilie" if len(dossier) == 7 else "ayant_droit")
    response = await portal.client.post(
        f"/api/v1/password-resets/{reset.json()['reset_id']}/delivery", json={"channel": "email"}
    )
    assert response.status_code == 200, response.text
    link = (await portal.outbox(dossier))[0]["link"]
    return str(re.search(r"token=([\w-]+)", link).group(1))  # type: ignore[union-attr]


async def complete(
    portal: Portal,
    token: str,
    dossier: str = "1234567",
    password: str = NEW_PASSWORD,
    confirmation: str | None = None,
):
    return await portal.client.post(
        "/api/v1/password-resets/complete",
        json={
            "token": token,
            "dossier_number": dossier,
            "new_password": password,
            "new_password_confirmation": confirmation or password,
        },
    )


async def test_member_with_email_is_offered_both_channels_with_masked_address(
    portal: Portal,
) -> None:
    response = await start(portal, "1234567")
    assert response.status_code == 201
    body = response.json()
    assert body["channels"] == ["email", "courrier"]
    assert body["masked_email"] == "j****nt@e*****.fr"
    assert "comptable" in body["email_warning"]
    assert "jeanne" not in response.text


async def test_member_without_email_can_only_get_a_letter(portal: Portal) -> None:
    outbox_before = portal.scalar("SELECT count(*) FROM outbox")
    body = (await start(portal, "2345678")).json()
    assert body["channels"] == ["courrier"] and body["masked_email"] is None
    response = await portal.client.post(
        f"/api/v1/password-resets/{body['reset_id']}/delivery", json={"channel": "email"}
    )
    assert response.status_code == 422
    assert "courrier" in response.json()["error"]["message"]
    assert portal.scalar("SELECT count(*) FROM outbox") == outbox_before
    assert portal.scalar("SELECT count(*) FROM password_resets WHERE delivered_at IS NOT NULL") == 0


@pytest.mark.parametrize(
    "profile, dossier, status, fragment",
    [
        # Either length for either profile: only the lookup answers, as for any unknown number.
        ("affilie", "123456789", 404, "Numéro de dossier ou profil incorrect"),
        ("ayant_droit", "1234567", 404, "Numéro de dossier ou profil incorrect"),
        ("affilie", "12 34 567", 422, "sans espace ni point"),
        ("affilie", "12345", 422, "7 ou 9 chiffres"),
        ("retraite", "1234567", 422, "profil"),
        ("affilie", "9999999", 404, "Numéro de dossier ou profil incorrect"),
    ],
)
async def test_profile_and_dossier_number_are_checked_together(
    portal: Portal, profile: str, dossier: str, status: int, fragment: str
) -> None:
    response = await start(portal, dossier, profile)
    assert response.status_code == status
    assert fragment in response.json()["error"]["message"]
    assert portal.scalar("SELECT count(*) FROM password_resets") == 0


async def test_email_link_resets_the_password_once(portal: Portal) -> None:
    token = await email_link_token(portal)
    digests = {hashlib.sha256(token.encode()).hexdigest()}
    stored = portal.scalar("SELECT token_hash FROM password_resets WHERE token_hash IS NOT NULL")
    assert stored and stored not in digests and token not in stored
    email = (await portal.outbox("1234567"))[0]
    assert email["kind"] == "email" and email["recipient"] == "jeanne.dupont@example.fr"
    assert "24 heures" in email["body"]

    response = await complete(portal, token)
    assert response.status_code == 200, response.text
    assert "prise en compte" in response.json()["message"]
    await portal.login("1234567", NEW_PASSWORD)
    refused = await portal.client.post(
        "/api/v1/sessions",
        json={"profile": "affilie", "dossier_number": "1234567", "password": DEMO_PASSWORD},
    )
    assert refused.status_code == 401

    again = await complete(portal, token, password="Autre2025abc")
    assert again.status_code == 410
    assert again.json()["error"]["code"] == "lien_deja_utilise"


async def test_email_link_is_valid_24_hours(portal: Portal) -> None:
    token = await email_link_token(portal)
    portal.clock.advance(hours=24)
    response = await complete(portal, token)
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "lien_expire"
    assert "24 heures" in response.json()["error"]["message"]


async def test_email_link_still_works_just_before_24_hours(portal: Portal) -> None:
    token = await email_link_token(portal)
    portal.clock.advance(hours=23, minutes=59)
    assert (await complete(portal, token)).status_code == 200


async def test_a_newer_link_replaces_the_older_one(portal: Portal) -> None:
    first = await email_link_token(portal)
    second = await email_link_token(portal)
    assert (await complete(portal, first)).json()["error"]["code"] == "lien_remplace"
    assert (await complete(portal, second)).status_code == 200


@pytest.mark.parametrize(
    "password, missing",
    [
        ("Court1a", ["au moins 8 caractères"]),
        ("tout-en-minuscules1", ["une lettre majuscule"]),
        ("TOUT-EN-MAJUSCULES1", ["une lettre minuscule"]),
        ("SansChiffreDuTout", ["un chiffre"]),
        ("abc", ["au moins 8 caractères", "une lettre majuscule", "un chiffre"]),
    ],
)
async def test_password_rules_are_enforced_and_listed(
    portal: Portal, password: str, missing: list[str]
) -> None:
    token = await email_link_token(portal)
    response = await complete(portal, token, password=password)
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    for item in missing:
        assert item in message
    assert portal.scalar("SELECT count(*) FROM password_resets WHERE used_at IS NOT NULL") == 0
    assert (await complete(portal, token)).status_code == 200


async def test_confirmation_and_dossier_number_must_match(portal: Portal) -> None:
    token = await email_link_token(portal)
    mismatch = await complete(portal, token, confirmation="Different2025")
    assert mismatch.status_code == 422 and "confirmation" in mismatch.json()["error"]["message"]
    wrong_dossier = await complete(portal, token, dossier="7654321")
    assert wrong_dossier.status_code == 422
    unknown = await complete(portal, "not-a-real-token")
    assert unknown.status_code == 404
    assert (await complete(portal, token)).status_code == 200


async def test_delivery_is_chosen_once_and_within_30_minutes(portal: Portal) -> None:
    reset_id = (await start(portal, "1234567")).json()["reset_id"]
    url = f"/api/v1/password-resets/{reset_id}/delivery"
    portal.clock.advance(minutes=31)
    assert (await portal.client.post(url, json={"channel": "email"})).status_code == 410
    reset_id = (await start(portal, "1234567")).json()["reset_id"]
    url = f"/api/v1/password-resets/{reset_id}/delivery"
    assert (await portal.client.post(url, json={"channel": "courrier"})).status_code == 200
    assert (await portal.client.post(url, json={"channel": "email"})).status_code == 409
    bad = await portal.client.post(url, json={"channel": "pigeon"})
    assert bad.status_code == 422


async def test_letter_brings_a_temporary_password_that_forces_first_login(portal: Portal) -> None:
    reset_id = (await start(portal, "2345678")).json()["reset_id"]
    response = await portal.client.post(
        f"/api/v1/password-resets/{reset_id}/delivery", json={"channel": "courrier"}
    )
    assert response.status_code == 200
    # Wednesday 12 November 2025: Thu 13, Fri 14, (week-end), Mon 17.
    assert response.json()["expected_delivery_date"] == "2025-11-17"
    letter = (await portal.outbox("2345678"))[0]
    assert letter["kind"] == "courrier" and "3 chemin du Moulin" in letter["recipient"]
    assert letter["expected_delivery_date"] == "2025-11-17"
    temporary = re.search(r"Mot de passe provisoire : (\S+)", letter["body"]).group(1)  # type: ignore[union-attr]

    login = await portal.client.post(
        "/api/v1/sessions",
        json={"profile": "affilie", "dossier_number": "2345678", "password": temporary},
    )
    assert login.status_code == 201 and login.json()["must_change_password"] is True
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    blocked = await portal.client.get("/api/v1/me", headers=headers)
    assert blocked.status_code == 403
    assert blocked.json()["error"]["code"] == "changement_mot_de_passe_requis"

    body = {
        "new_password": "weak",
        "new_password_confirmation": "weak",
        "email": "marc.leroy@example.fr",
        "accept_terms": True,
    }
    weak = await portal.client.post("/api/v1/me/first-login", headers=headers, json=body)
    assert weak.status_code == 422
    body.update(
        new_password=NEW_PASSWORD, new_password_confirmation=NEW_PASSWORD, accept_terms=False
    )
    no_terms = await portal.client.post("/api/v1/me/first-login", headers=headers, json=body)
    assert no_terms.status_code == 422 and "conditions" in no_terms.json()["error"]["message"]
    body["accept_terms"] = True
    done = await portal.client.post("/api/v1/me/first-login", headers=headers, json=body)
    assert done.status_code == 200, done.text
    assert done.json()["must_change_password"] is False
    assert done.json()["email_verification_sent"] is True
    replay = await portal.client.post("/api/v1/me/first-login", headers=headers, json=body)
    assert replay.status_code == 401  # the temporary-password session ended with the change
    new_headers = {"Authorization": f"Bearer {done.json()['token']}"}
    me = (await portal.client.get("/api/v1/me", headers=new_headers)).json()
    assert me["email"] is None  # applied once the link is followed

    link = (await portal.outbox("2345678"))[0]["link"]
    token = link.split("token=")[1]
    verified = await portal.client.get(f"/api/v1/email-verifications/{token}")
    assert verified.status_code == 200
    me = (await portal.client.get("/api/v1/me", headers=new_headers)).json()
    assert me["email"] == "marc.leroy@example.fr" and me["email_verified"] is True
    refused = await portal.client.post(
        "/api/v1/sessions",
        json={"profile": "affilie", "dossier_number": "2345678", "password": temporary},
    )
    assert refused.status_code == 401


async def test_seeded_temporary_password_account(portal: Portal) -> None:
    login = await portal.client.post(
        "/api/v1/sessions",
        json={
            "profile": "affilie",
            "dossier_number": "4567890",
            "password": DEMO_TEMPORARY_PASSWORD,
        },
    )
    assert login.json()["must_change_password"] is True


async def test_reset_start_is_rate_limited_per_dossier(portal: Portal) -> None:
    for _ in range(3):
        assert (await start(portal, "1234567")).status_code == 201
    response = await start(portal, "1234567")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Trop de demandes" in response.json()["error"]["message"]
    assert portal.scalar("SELECT count(*) FROM password_resets") == 3
    assert (await start(portal, "7654321")).status_code == 201


async def test_reset_start_is_rate_limited_per_client(portal: Portal) -> None:
    dossiers = ["1234567", "2345678", "7654321", "3456789", "4567890"]
    for dossier in dossiers * 2:
        assert (await start(portal, dossier)).status_code == 201
    assert (await start(portal, "1234567")).status_code == 429
    # The action server forwards the end user's address with its service key.
    forwarded = await start(
        portal,
        "123456789",
        "ayant_droit",
        **{"X-Service-Key": SERVICE_KEY, "X-Forwarded-For": "203.0.113.9"},
    )
    assert forwarded.status_code == 201


async def test_failed_logins_are_rate_limited_per_dossier(portal: Portal) -> None:
    body = {"profile": "affilie", "dossier_number": "1234567", "password": "Mauvais2025"}
    for _ in range(3):
        response = await portal.client.post("/api/v1/sessions", json=body)
        assert response.status_code == 401
        assert response.json()["error"]["message"] == (
            "Numéro de dossier, profil ou mot de passe incorrect."
        )
    body["password"] = DEMO_PASSWORD
    blocked = await portal.client.post("/api/v1/sessions", json=body)
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    portal.clock.advance(minutes=16)  # the limiter uses its own monotonic clock
    assert (await portal.client.post("/api/v1/sessions", json=body)).status_code == 429


async def test_reset_can_be_finished_in_a_browser(portal: Portal) -> None:
    token = await email_link_token(portal)
    form = await portal.client.get("/reset", params={"token": token})
    assert form.status_code == 200 and "text/html" in form.headers["content-type"]
    assert "Confirmer mot de passe" in form.text
    data = {
        "token": token,
        "dossier_number": "1234567",
        "new_password": "court",
        "new_password_confirmation": "court",
    }
    error = await portal.client.post("/reset", data=data)
    assert error.status_code == 422 and "une lettre majuscule" in error.text
    data.update(new_password=NEW_PASSWORD, new_password_confirmation=NEW_PASSWORD)
    done = await portal.client.post("/reset", data=data)
    assert done.status_code == 200 and "Changement de mot de passe effectué" in done.text
    mailbox = await portal.client.get("/demo/mailbox")
    assert "Demande de réinitialisation du mot de passe" in mailbox.text


async def test_html_pages_escape_what_they_echo(portal: Portal) -> None:
    page = await portal.client.get("/reset", params={"token": '"><script>alert(1)</script>'})
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;" in page.text
