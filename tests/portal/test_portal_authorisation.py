"""Sessions, the service credential, and one member never reaching another's data."""

from __future__ import annotations

import jwt
import pytest
from portal_testkit import SERVICE_KEY, Portal

pytestmark = pytest.mark.asyncio(loop_scope="module")
PROTECTED = [
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/me/payments"),
    ("GET", "/api/v1/me/documents"),
    ("GET", "/api/v1/me/messages"),
    ("POST", "/api/v1/me/attestations"),
    ("POST", "/api/v1/me/rib-changes"),
    ("POST", "/api/v1/me/address"),
    ("POST", "/api/v1/me/email-changes"),
    ("POST", "/api/v1/me/adult-child-increases"),
    ("POST", "/api/v1/me/work-resumptions"),
    ("POST", "/api/v1/me/sick-leave-extensions"),
    ("POST", "/api/v1/me/messages"),
    ("POST", "/api/v1/me/first-login"),
]


@pytest.mark.parametrize("method, path", PROTECTED)
async def test_member_endpoints_require_a_session(portal: Portal, method: str, path: str) -> None:
    response = await portal.client.request(method, path, json={})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "session_requise"


async def test_invalid_forged_and_expired_sessions_are_refused(portal: Portal) -> None:
    headers = await portal.login("1234567")
    token = headers["Authorization"].split()[1]
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode({**claims, "sub": "7654321"}, "not-the-secret-" * 4, algorithm="HS256")
    for value in ("Bearer nope", f"Bearer {forged}", f"Basic {token}"):
        response = await portal.client.get("/api/v1/me", headers={"Authorization": value})
        assert response.status_code == 401
    portal.clock.advance(minutes=15)
    expired = await portal.client.get("/api/v1/me", headers=headers)
    assert expired.status_code == 401 and expired.json()["error"]["code"] == "session_expiree"


async def test_action_server_acts_with_service_key_and_the_users_session(portal: Portal) -> None:
    headers = await portal.login("7654321")
    ok = await portal.client.get("/api/v1/me", headers={**headers, "X-Service-Key": SERVICE_KEY})
    assert ok.status_code == 200 and ok.json()["dossier_number"] == "7654321"
    wrong = await portal.client.get("/api/v1/me", headers={**headers, "X-Service-Key": "x"})
    assert wrong.status_code == 401
    key_alone = await portal.client.get("/api/v1/me", headers={"X-Service-Key": SERVICE_KEY})
    assert key_alone.status_code == 401


async def test_a_member_cannot_reach_another_members_documents(portal: Portal) -> None:
    sophie = await portal.login("7654321")
    jeanne = await portal.login("1234567")
    doc = (await portal.client.get("/api/v1/me/documents", headers=sophie)).json()["documents"][0]
    stolen = await portal.client.get(f"/api/v1/me/documents/{doc['document_id']}", headers=jeanne)
    assert stolen.status_code == 404
    jeanne_docs = (await portal.client.get("/api/v1/me/documents", headers=jeanne)).json()
    assert doc["document_id"] not in {d["document_id"] for d in jeanne_docs["documents"]}
    jeanne_payments = (await portal.client.get("/api/v1/me/payments", headers=jeanne)).json()
    assert jeanne_payments["count"] == 0


async def test_a_member_cannot_confirm_another_members_rib_change(portal: Portal) -> None:
    sophie = await portal.login("7654321")
    jeanne = await portal.login("1234567")
    change = (
        await portal.client.post(
            "/api/v1/me/rib-changes",
            headers=sophie,
            json={
                "iban": "FR7630004008260001234567871",
                "bic": "BNPAFRPP",
                "holder_name": "Sophie Bernard",
            },
        )
    ).json()
    code = (await portal.outbox("7654321"))[0]["body"].split("code de confirmation : ")[1][:6]
    response = await portal.client.post(
        f"/api/v1/me/rib-changes/{change['change_id']}/confirm", headers=jeanne, json={"code": code}
    )
    assert response.status_code == 404
    assert portal.scalar("SELECT iban FROM members WHERE dossier_number = '1234567'") == (
        "FR7630004008260001234567871"
    )
    assert portal.scalar("SELECT iban FROM members WHERE dossier_number = '7654321'") == (
        "FR7610278024500002012340156"
    )


async def test_sessions_end_when_the_password_changes(portal: Portal) -> None:
    headers = await portal.login("1234567")
    reset = (
        await portal.client.post(
            "/api/v1/password-resets", json={"profile": "affilie", "dossier_number": "1234567"}
        )
    ).json()
    await portal.client.post(
        f"/api/v1/password-resets/{reset['reset_id']}/delivery", json={"channel": "email"}
    )
    token = (await portal.outbox("1234567"))[0]["link"].split("token=")[1]
    await portal.client.post(
        "/api/v1/password-resets/complete",
        json={
            "token": token,
            "dossier_number": "1234567",
            "new_password": "Changement2025",
            "new_password_confirmation": "Changement2025",
        },
    )
    assert (await portal.client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_login_errors_do_not_reveal_which_part_was_wrong(portal: Portal) -> None:
    unknown = await portal.client.post(
        "/api/v1/sessions",
        json={"profile": "affilie", "dossier_number": "9999999", "password": "Whatever2025"},
    )
    wrong = await portal.client.post(
        "/api/v1/sessions",
        json={"profile": "affilie", "dossier_number": "1234567", "password": "Whatever2025"},
    )
    never_activated = await portal.client.post(
        "/api/v1/sessions",
        json={"profile": "affilie", "dossier_number": "2345678", "password": "Whatever2025"},
    )
    assert unknown.json() == wrong.json() == never_activated.json()
    assert unknown.status_code == 401


@pytest.mark.parametrize(
    "method, path",
    [
        ("POST", "/api/v1/handoffs"),
        ("GET", "/api/v1/handoffs"),
        ("POST", "/api/v1/callbacks"),
        ("GET", "/api/v1/callbacks"),
        ("POST", "/api/v1/handoffs/1/close"),
    ],
)
async def test_service_endpoints_require_the_service_key(
    portal: Portal, method: str, path: str
) -> None:
    headers = await portal.login("1234567")
    response = await portal.client.request(method, path, json={}, headers=headers)
    assert response.status_code == 401
    wrong = await portal.client.request(method, path, json={}, headers={"X-Service-Key": "wrong"})
    assert wrong.status_code == 401


async def test_logout_revokes_the_token_at_once(portal: Portal) -> None:
    """The token sat in the web page (the widget's): after logout nobody may use it."""
    headers = await portal.login("1234567")
    assert (await portal.client.get("/api/v1/me", headers=headers)).status_code == 200
    assert (await portal.client.delete("/api/v1/sessions", headers=headers)).status_code == 204
    after = await portal.client.get("/api/v1/me", headers=headers)
    assert after.status_code == 401 and after.json()["error"]["code"] == "session_expiree"
    again = await portal.login("1234567")  # logging in again works
    assert (await portal.client.get("/api/v1/me", headers=again)).status_code == 200
    assert (await portal.client.delete("/api/v1/sessions")).status_code == 401
