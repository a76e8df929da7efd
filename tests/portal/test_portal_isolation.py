"""A member's session reaches that member's data only, whatever ids or numbers a client sends.

Jeanne (1234567, no payments) tries to read and act on Sophie's (7654321) documents,
attestations, download links and messages by changing ids, query strings, bodies and tokens.
Complements test_portal_authorisation.py (sessions, service key, RIB confirmation).
"""

from __future__ import annotations

import base64
import json

import jwt
import pytest
from portal_testkit import SERVICE_KEY, Portal

from portal.seed import DEMO_PASSWORD

pytestmark = pytest.mark.asyncio(loop_scope="module")
SOPHIE, JEANNE = "7654321", "1234567"


async def sophie_attestation(portal: Portal) -> dict[str, str]:
    headers = await portal.login(SOPHIE)
    response = await portal.client.post(
        "/api/v1/me/attestations",
        headers=headers,
        json={
            "type": "paiement_invalidite_deces",
            "period_start": "2025-01",
            "period_end": "2025-06",
        },
    )
    assert response.status_code == 201, response.text
    created: dict[str, str] = response.json()
    return created


async def test_jeanne_cannot_fetch_sophies_attestation_by_its_id(portal: Portal) -> None:
    attestation = await sophie_attestation(portal)
    jeanne = await portal.login(JEANNE)
    stolen = await portal.client.get(
        f"/api/v1/me/documents/{attestation['document_id']}", headers=jeanne
    )
    assert stolen.status_code == 404
    assert SOPHIE not in stolen.text and "Bernard" not in stolen.text


async def test_a_dossier_number_in_the_body_or_query_is_ignored(portal: Portal) -> None:
    jeanne = await portal.login(JEANNE)
    # Jeanne has no payment: an attestation "for Sophie" must not be built from Sophie's.
    response = await portal.client.post(
        "/api/v1/me/attestations",
        headers=jeanne,
        json={
            "type": "paiement_invalidite_deces",
            "period_start": "2025-01",
            "period_end": "2025-06",
            "dossier_number": SOPHIE,
            "member_id": 1,
        },
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "aucun_paiement"
    listed = await portal.client.get(
        "/api/v1/me/documents", headers=jeanne, params={"dossier_number": SOPHIE}
    )
    sophies = (
        await portal.client.get("/api/v1/me/documents", headers=await portal.login(SOPHIE))
    ).json()["documents"]
    assert listed.status_code == 200
    assert {d["document_id"] for d in listed.json()["documents"]}.isdisjoint(
        {d["document_id"] for d in sophies}
    )
    me = await portal.client.get("/api/v1/me", headers=jeanne, params={"dossier_number": SOPHIE})
    assert me.json()["dossier_number"] == JEANNE


async def test_a_download_link_cannot_be_rewritten_to_another_document(portal: Portal) -> None:
    attestation = await sophie_attestation(portal)
    jeanne = await portal.login(JEANNE)
    letters = (await portal.client.get("/api/v1/me/documents", headers=jeanne)).json()
    own = letters["documents"][0]["download_url"]
    token = own.rsplit("/", 1)[1]
    body, _, signature = token.partition(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims.update(doc=attestation["document_id"], sub=SOPHIE)
    forged_body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    forged = await portal.client.get(f"/api/v1/files/{forged_body}.{signature}")
    assert forged.status_code == 404
    assert forged.headers["content-type"].startswith("application/json")
    assert (await portal.client.get(f"/api/v1/files/{token}")).status_code == 200


async def test_unsigned_and_other_algorithm_sessions_are_refused(portal: Portal) -> None:
    headers = await portal.login(JEANNE)
    claims = jwt.decode(headers["Authorization"].split()[1], options={"verify_signature": False})
    unsigned = jwt.encode({**claims, "sub": SOPHIE}, None, algorithm="none")
    for token in (unsigned, unsigned + "x", "a.b.c", "-"):
        response = await portal.client.get(
            "/api/v1/me",
            headers={"Authorization": f"Bearer {token}", "X-Service-Key": SERVICE_KEY},
        )
        assert response.status_code == 401, token


async def test_jeanne_does_not_see_sophies_messages(portal: Portal) -> None:
    sophie = await portal.login(SOPHIE)
    jeanne = await portal.login(JEANNE)
    sophies = (await portal.client.get("/api/v1/me/messages", headers=sophie)).json()
    jeannes = (await portal.client.get("/api/v1/me/messages", headers=jeanne)).json()
    assert sophies["messages"], "Sophie's seeded exchanges are expected"
    assert "Invalidité" not in json.dumps(jeannes, ensure_ascii=False)


async def test_login_attempts_are_rate_limited_per_client(portal: Portal) -> None:
    """20 attempts per client in the tests' settings, spread over dossiers so that the
    per-dossier limit (3 failures) is never the one that trips."""
    dossiers = ["1234567", "7654321", "3456789", "2345678", "4567890", "1111111", "2222222"]
    attempts = [(d, "Mauvais2025") for d in dossiers for _ in range(2)]
    attempts += [("9999999", "Mauvais2025")] * 6
    for dossier, password in attempts:
        response = await portal.client.post(
            "/api/v1/sessions",
            json={"profile": "affilie", "dossier_number": dossier, "password": password},
        )
        assert response.status_code in (401, 429)
    blocked = await portal.client.post(
        "/api/v1/sessions",
        json={"profile": "affilie", "dossier_number": "1234567", "password": DEMO_PASSWORD},
    )
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    assert "depuis votre connexion" in blocked.json()["error"]["message"]
