"""Identity check of the phone line (dossier + postal code)."""

from __future__ import annotations

import pytest
from portal_testkit import SERVICE_KEY, Portal

pytestmark = pytest.mark.asyncio(loop_scope="module")
SERVICE = {"X-Service-Key": SERVICE_KEY}
URL = "/api/v1/identity-checks"


def check(dossier: str, postal_code: str, profile: str = "affilie") -> dict[str, str]:
    return {"profile": profile, "dossier_number": dossier, "postal_code": postal_code}


async def test_matching_dossier_and_postal_code_are_verified(portal: Portal) -> None:
    response = await portal.client.post(URL, json=check("1234567", "69003"), headers=SERVICE)
    assert response.status_code == 200
    assert response.json() == {"verified": True}
    ayant_droit = check("123456789", "44 000", profile="ayant_droit")
    response = await portal.client.post(URL, json=ayant_droit, headers=SERVICE)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        check("1234567", "75001"),  # wrong postal code
        check("9999999", "69003"),  # unknown dossier
        check("1234567", "69003", profile="ayant_droit") | {"dossier_number": "123456780"},
    ],
)
async def test_mismatch_gives_the_same_answer_whatever_is_wrong(portal: Portal, body: dict) -> None:
    response = await portal.client.post(URL, json=body, headers=SERVICE)
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "identite_non_verifiee"
    assert error["message"] == "Le numéro de dossier et le code postal ne correspondent pas."


async def test_service_key_is_required(portal: Portal) -> None:
    response = await portal.client.post(URL, json=check("1234567", "69003"))
    assert response.status_code == 401
    wrong = {"X-Service-Key": "not-the-key"}
    response = await portal.client.post(URL, json=check("1234567", "69003"), headers=wrong)
    assert response.status_code == 401


@pytest.mark.parametrize("postal_code, field", [("6900", "postal_code"), ("abcde", "postal_code")])
async def test_malformed_input_is_refused_in_french(
    portal: Portal, postal_code: str, field: str
) -> None:
    response = await portal.client.post(URL, json=check("1234567", postal_code), headers=SERVICE)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
    assert "code postal" in response.json()["error"]["message"]


async def test_attempts_are_limited_per_dossier(portal: Portal) -> None:
    statuses = []
    for attempt in range(6):
        headers = {**SERVICE, "X-Forwarded-For": f"caller-{attempt}"}
        response = await portal.client.post(URL, json=check("1234567", "75001"), headers=headers)
        statuses.append(response.status_code)
    assert statuses == [404] * 5 + [429]
    assert "Retry-After" in response.headers
    # Even the right postal code is refused until the window has passed.
    headers = {**SERVICE, "X-Forwarded-For": "caller-x"}
    response = await portal.client.post(URL, json=check("1234567", "69003"), headers=headers)
    assert response.status_code == 429


async def test_demo_clock_moves_the_opening_hours(portal: Portal) -> None:
    # The test portal runs a fake clock that cannot be moved through the API.
    body = {"now": "2025-11-17T19:00:00+01:00"}
    response = await portal.client.put("/api/v1/demo/clock", json=body, headers=SERVICE)
    assert response.status_code == 422
    response = await portal.client.put("/api/v1/demo/clock", json=body)
    assert response.status_code == 401
