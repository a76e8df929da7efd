"""Démarches: RIB, address, e-mail, majoration « enfant majeur », return to work."""

from __future__ import annotations

import re

import pytest
from portal_testkit import Portal

pytestmark = pytest.mark.asyncio(loop_scope="module")
NEW_IBAN = "FR76 3000 4008 2600 0123 4567 871"


def sophie_iban(portal: Portal) -> str:
    return str(portal.scalar("SELECT iban FROM members WHERE dossier_number = '7654321'"))


async def start_rib(portal: Portal, headers: dict[str, str], **overrides: str):
    body = {"iban": NEW_IBAN, "bic": "BNPAFRPP", "holder_name": "Sophie Bernard", **overrides}
    return await portal.client.post("/api/v1/me/rib-changes", headers=headers, json=body)


def code_in(message: dict) -> str:
    return re.search(r"code de confirmation : (\d{6})", message["body"]).group(1)  # type: ignore[union-attr]


async def test_rib_change_takes_effect_only_with_the_code(portal: Portal) -> None:
    headers = await portal.login("7654321")
    change = await start_rib(portal, headers)
    assert change.status_code == 201, change.text
    body = change.json()
    assert body["masked_iban"] == "FR76 **** **** 7871" and body["code_sent_to"] == "email"
    assert body["masked_email"] == "s****rd@e*****.fr"
    assert sophie_iban(portal) == "FR7610278024500002012340156"
    code = code_in((await portal.outbox("7654321"))[0])
    url = f"/api/v1/me/rib-changes/{body['change_id']}/confirm"
    wrong = await portal.client.post(
        url, headers=headers, json={"code": "000000" if code != "000000" else "111111"}
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "code_incorrect"
    assert sophie_iban(portal) == "FR7610278024500002012340156"
    done = await portal.client.post(url, headers=headers, json={"code": code})
    assert done.status_code == 200, done.text
    assert done.json()["notification_channel"] == "email"
    assert sophie_iban(portal) == "FR7630004008260001234567871"
    notice = (await portal.outbox("7654321"))[0]
    assert notice["subject"] == "Modification de vos coordonnées bancaires"
    assert "FR76 **** **** 7871" in notice["body"] and "FR76 **** **** 0156" in notice["body"]
    assert (await portal.client.post(url, headers=headers, json={"code": code})).status_code == 409
    me = (await portal.client.get("/api/v1/me", headers=headers)).json()
    assert me["bank"] == {
        "iban": "FR7630004008260001234567871",
        "iban_masked": "FR76 **** **** 7871",
        "bic": "BNPAFRPP",
        "holder_name": "SOPHIE BERNARD",
    }


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"iban": "FR7630004008260001234567872"}, "iban"),  # bad check digits
        ({"iban": "BR1800360305000010009795493C1"}, "iban"),  # outside SEPA
        ({"bic": "BNPAFRP"}, "bic"),
        ({"bic": "COBADEFFXXX"}, "bic"),  # German BIC for a French IBAN
        ({"holder_name": "<script>"}, "holder_name"),
        ({"iban": "FR7610278024500002012340156"}, "iban"),  # the current one
    ],
)
async def test_rib_input_is_validated(portal: Portal, overrides: dict, field: str) -> None:
    headers = await portal.login("7654321")
    outbox = portal.scalar("SELECT count(*) FROM outbox")
    response = await start_rib(portal, headers, **overrides)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
    assert portal.scalar("SELECT count(*) FROM rib_changes") == 0
    assert portal.scalar("SELECT count(*) FROM outbox") == outbox


async def test_rib_code_goes_by_post_without_a_verified_email(portal: Portal) -> None:
    # Nadia finishes her first login; her new e-mail is not verified yet.
    login = await portal.client.post(
        "/api/v1/sessions",
        json={"profile": "affilie", "dossier_number": "4567890", "password": "Provisoire24"},
    )
    first = await portal.client.post(
        "/api/v1/me/first-login",
        headers={"Authorization": f"Bearer {login.json()['token']}"},
        json={
            "new_password": "Personnel2025",
            "new_password_confirmation": "Personnel2025",
            "email": "nadia.benali@example.fr",
            "accept_terms": True,
        },
    )
    headers = {"Authorization": f"Bearer {first.json()['token']}"}
    change = (await start_rib(portal, headers, holder_name="Nadia Benali")).json()
    assert change["code_sent_to"] == "courrier"
    assert change["expected_delivery_date"] == "2025-11-17"
    letter = (await portal.outbox("4567890"))[0]
    assert letter["kind"] == "courrier" and "102 boulevard Périer" in letter["recipient"]
    done = await portal.client.post(
        f"/api/v1/me/rib-changes/{change['change_id']}/confirm",
        headers=headers,
        json={"code": code_in(letter)},
    )
    assert done.json()["notification_channel"] == "courrier"


async def test_rib_code_attempts_are_limited_and_codes_expire(portal: Portal) -> None:
    headers = await portal.login("7654321")
    change = (await start_rib(portal, headers)).json()
    code = code_in((await portal.outbox("7654321"))[0])
    url = f"/api/v1/me/rib-changes/{change['change_id']}/confirm"
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert (
            await portal.client.post(url, headers=headers, json={"code": wrong})
        ).status_code == 422
    blocked = await portal.client.post(url, headers=headers, json={"code": code})
    assert blocked.status_code == 429
    change = (await start_rib(portal, headers)).json()
    code = code_in((await portal.outbox("7654321"))[0])
    portal.clock.advance(minutes=31)
    headers = await portal.login("7654321")
    expired = await portal.client.post(
        f"/api/v1/me/rib-changes/{change['change_id']}/confirm",
        headers=headers,
        json={"code": code},
    )
    assert expired.status_code == 410
    assert sophie_iban(portal) == "FR7610278024500002012340156"


async def test_address_change(portal: Portal) -> None:
    headers = await portal.login("1234567")
    response = await portal.client.post(
        "/api/v1/me/address",
        headers=headers,
        json={"line1": "5 quai Saint-Vincent", "postal_code": "69001", "city": "Lyon"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["address"]["city"] == "LYON"
    assert response.json()["notification_channel"] == "email"
    me = (await portal.client.get("/api/v1/me", headers=headers)).json()
    assert me["address"]["line1"] == "5 quai Saint-Vincent"
    corsica = await portal.client.post(
        "/api/v1/me/address",
        headers=headers,
        json={"line1": "1 cours Napoléon", "postal_code": "20000", "city": "Ajaccio"},
    )
    assert corsica.status_code == 200
    abroad = await portal.client.post(
        "/api/v1/me/address",
        headers=headers,
        json={
            "line1": "Rue de la Loi 16",
            "postal_code": "1000",
            "city": "Bruxelles",
            "country": "be",
        },
    )
    assert abroad.status_code == 200 and abroad.json()["address"]["country"] == "BE"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"line1": "1 rue X", "postal_code": "00100", "city": "Nulle part"}, "postal_code"),
        ({"line1": "1 rue X", "postal_code": "96000", "city": "Nulle part"}, "postal_code"),
        ({"line1": "1 rue X", "postal_code": "7500", "city": "Paris"}, "postal_code"),
        ({"line1": "1 rue X", "postal_code": "75O08", "city": "Paris"}, "postal_code"),
        ({"postal_code": "75008", "city": "Paris"}, "line1"),
        (
            {"line1": "1 rue X", "postal_code": "75008", "city": "Paris", "country": "France"},
            "country",
        ),
        ({"line1": "1 rue X\nDROP", "postal_code": "75008", "city": "Paris"}, "line1"),
    ],
)
async def test_bad_addresses_change_nothing(portal: Portal, body: dict, field: str) -> None:
    headers = await portal.login("1234567")
    response = await portal.client.post("/api/v1/me/address", headers=headers, json=body)
    assert response.status_code == 422 and response.json()["error"]["field"] == field
    assert portal.scalar("SELECT postal_code FROM members WHERE dossier_number = '1234567'") == (
        "69003"
    )
    assert portal.scalar("SELECT count(*) FROM procedures") == 0


async def test_email_change_with_verification_link(portal: Portal) -> None:
    headers = await portal.login("1234567")
    response = await portal.client.post(
        "/api/v1/me/email-changes",
        headers=headers,
        json={"email": "Jeanne.Dupont@Nouveau-Domaine.fr"},
    )
    assert response.status_code == 201
    assert response.json()["warning"] is None
    messages = await portal.outbox("1234567")
    confirm = next(m for m in messages if m["recipient"] == "jeanne.dupont@nouveau-domaine.fr")
    notice = next(m for m in messages if m["recipient"] == "jeanne.dupont@example.fr")
    assert "changement" in notice["subject"]
    token = confirm["link"].split("token=")[1]
    page = await portal.client.get("/verify-email", params={"token": token})
    assert page.status_code == 200 and "confirmée" in page.text
    me = (await portal.client.get("/api/v1/me", headers=headers)).json()
    assert me["email"] == "jeanne.dupont@nouveau-domaine.fr"
    again = await portal.client.get(f"/api/v1/email-verifications/{token}")
    assert again.status_code == 410


async def test_email_change_warns_about_accountants_and_third_parties(portal: Portal) -> None:
    headers = await portal.login("1234567")
    accountant = await portal.client.post(
        "/api/v1/me/email-changes",
        headers=headers,
        json={"email": "contact@cabinet-compta-lyon.fr"},
    )
    assert accountant.json()["warning"] == "accountant"
    assert "comptable" in accountant.json()["warning_message"]
    shared = await portal.client.post(
        "/api/v1/me/email-changes", headers=headers, json={"email": "claire.petit@example.fr"}
    )
    assert shared.json()["warning"] == "third_party"
    same = await portal.client.post(
        "/api/v1/me/email-changes", headers=headers, json={"email": "jeanne.dupont@example.fr"}
    )
    assert same.status_code == 422
    invalid = await portal.client.post(
        "/api/v1/me/email-changes", headers=headers, json={"email": "jeanne@"}
    )
    assert invalid.status_code == 422


async def test_email_verification_links_expire(portal: Portal) -> None:
    headers = await portal.login("1234567")
    await portal.client.post(
        "/api/v1/me/email-changes", headers=headers, json={"email": "jeanne@autre.fr"}
    )
    link = (await portal.outbox("1234567"))[1]["link"]
    portal.clock.advance(hours=24, seconds=1)
    response = await portal.client.get(f"/api/v1/email-verifications/{link.split('token=')[1]}")
    assert response.status_code == 410 and response.json()["error"]["code"] == "lien_expire"


async def test_adult_child_increase(portal: Portal) -> None:
    headers = await portal.login("7654321")
    response = await portal.client.post(
        "/api/v1/me/adult-child-increases",
        headers=headers,
        json={"child_first_name": "Léa", "child_birth_date": "2005-03-01", "situation": "etudes"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["service"] == "invalidite_deces"
    assert response.json()["documents_to_send"] == ["certificat de scolarité de l'année en cours"]
    assert portal.scalar("SELECT kind FROM procedures") == "majoration_enfant_majeur"


@pytest.mark.parametrize(
    "dossier, body, fragment",
    [
        ("7654321", {"child_birth_date": "2010-01-01", "situation": "etudes"}, "18 ans"),
        ("7654321", {"child_birth_date": "1995-01-01", "situation": "etudes"}, "25 ans"),
        ("7654321", {"child_birth_date": "2030-01-01", "situation": "etudes"}, "passé"),
        ("7654321", {"child_birth_date": "2005-02-30", "situation": "etudes"}, "date valide"),
        ("7654321", {"child_birth_date": "2005-01-01", "situation": "vacances"}, "situation"),
        ("1234567", {"child_birth_date": "2005-01-01", "situation": "etudes"}, "aucune n'est"),
    ],
)
async def test_adult_child_increase_rules(
    portal: Portal, dossier: str, body: dict, fragment: str
) -> None:
    headers = await portal.login(dossier)
    response = await portal.client.post(
        "/api/v1/me/adult-child-increases",
        headers=headers,
        json={"child_first_name": "Léa", **body},
    )
    assert response.status_code == 422
    assert fragment in response.json()["error"]["message"]
    assert portal.scalar("SELECT count(*) FROM procedures") == 0


async def test_work_resumption(portal: Portal) -> None:
    headers = await portal.login("7654321")
    for resume_type in ("temps_complet", "therapeutique"):
        response = await portal.client.post(
            "/api/v1/me/work-resumptions",
            headers=headers,
            json={"resume_type": resume_type, "date": "2025-12-01"},
        )
        assert response.status_code == 201
        assert response.json()["resume_type"] == resume_type
    assert "thérapeutiques" in response.json()["message"]
    claire = await portal.login("123456789")
    refused = await portal.client.post(
        "/api/v1/me/work-resumptions",
        headers=claire,
        json={"resume_type": "temps_complet", "date": "2025-12-01"},
    )
    assert refused.status_code == 422
    for body in (
        {"resume_type": "mi-temps", "date": "2025-12-01"},
        {"resume_type": "temps_complet", "date": "2030-01-01"},
        {"resume_type": "temps_complet", "date": "01/12/2025"},
    ):
        bad = await portal.client.post("/api/v1/me/work-resumptions", headers=headers, json=body)
        assert bad.status_code == 422
    assert portal.scalar("SELECT count(*) FROM procedures") == 2
