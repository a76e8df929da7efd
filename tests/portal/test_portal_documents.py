"""Payments, documents by year, attestations rendered as real PDFs from the payments."""

from __future__ import annotations

import io

import pytest
from portal_testkit import Portal
from pypdf import PdfReader

from portal.services.pdf import euros

pytestmark = pytest.mark.asyncio(loop_scope="module")


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def db_sum(portal: Portal, column: str, dossier: str, start: str, end: str) -> int:
    return int(
        portal.scalar(
            f"SELECT sum(p.{column}) FROM payments p JOIN members m ON m.id = p.member_id "
            "WHERE m.dossier_number = :d AND p.period BETWEEN :s AND :e",
            d=dossier,
            s=start,
            e=end,
        )
    )


async def download(portal: Portal, url: str) -> bytes:
    path = url.replace("http://portal.test", "")
    response = await portal.client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return response.content


async def test_payments_month_by_month_with_contributions(portal: Portal) -> None:
    headers = await portal.login("7654321")
    response = await portal.client.get(
        "/api/v1/me/payments", headers=headers, params={"from": "2024-01", "to": "2024-12"}
    )
    body = response.json()
    assert body["count"] == 12
    first = body["payments"][0]
    assert first["period"] == "2024-01" and first["gross_cents"] == 125000
    assert first["net_cents"] == (
        first["gross_cents"]
        - first["csg_deductible_cents"]
        - first["csg_non_deductible_cents"]
        - first["crds_cents"]
        - first["casa_cents"]
    )
    assert body["totals"]["gross_cents"] == 12 * 125000
    everything = (await portal.client.get("/api/v1/me/payments", headers=headers)).json()
    assert everything["count"] == 22  # January 2024 to October 2025 (clock: 12 Nov 2025)
    bad = await portal.client.get(
        "/api/v1/me/payments", headers=headers, params={"from": "2024-13"}
    )
    assert bad.status_code == 422
    reversed_period = await portal.client.get(
        "/api/v1/me/payments", headers=headers, params={"from": "2025-01", "to": "2024-01"}
    )
    assert reversed_period.status_code == 422


async def test_documents_by_year_and_kind(portal: Portal) -> None:
    headers = await portal.login("7654321")
    documents = (await portal.client.get("/api/v1/me/documents", headers=headers)).json()
    kinds = [d["kind"] for d in documents["documents"]]
    assert kinds.count("bordereau") == 22
    assert kinds.count("attestation_fiscale") == 1  # 2024, issued February 2025
    assert kinds.count("courrier") == 1
    year = await portal.client.get(
        "/api/v1/me/documents", headers=headers, params={"year": "2024", "kind": "bordereau"}
    )
    assert year.json()["count"] == 12
    assert all(d["year"] == 2024 for d in year.json()["documents"])
    for params in ({"year": "24"}, {"kind": "facture"}):
        assert (
            await portal.client.get("/api/v1/me/documents", headers=headers, params=params)
        ).status_code == 422


async def test_contributions_attestation_matches_the_payments_of_the_period(portal: Portal) -> None:
    headers = await portal.login("7654321")
    documents_before = portal.scalar("SELECT count(*) FROM documents")
    response = await portal.client.post(
        "/api/v1/me/attestations",
        headers=headers,
        json={
            "type": "versement_contributions",
            "period_start": "2024-11",
            "period_end": "2025-02",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["payments_count"] == 4
    gross = db_sum(portal, "gross_cents", "7654321", "2024-11", "2025-02")
    assert body["total_gross_cents"] == gross == 2 * 125000 + 2 * 127750
    text = pdf_text(await download(portal, body["download_url"]))
    assert "Attestation de versement" in text and "Sophie Bernard" in text
    for column in (
        "gross_cents",
        "csg_deductible_cents",
        "csg_non_deductible_cents",
        "crds_cents",
        "casa_cents",
        "net_cents",
    ):
        assert euros(db_sum(portal, column, "7654321", "2024-11", "2025-02")) in text
    assert "novembre 2024" in text and "février 2025" in text and "mars 2025" not in text
    assert portal.scalar("SELECT count(*) FROM documents") == documents_before + 1
    listed = await portal.client.get(
        "/api/v1/me/documents", headers=headers, params={"kind": "attestation"}
    )
    assert listed.json()["count"] == 1


async def test_invalidity_payment_attestation(portal: Portal) -> None:
    headers = await portal.login("7654321")
    body = (
        await portal.client.post(
            "/api/v1/me/attestations",
            headers=headers,
            json={
                "type": "paiement_invalidite_deces",
                "period_start": "2024-01",
                "period_end": "2024-12",
            },
        )
    ).json()
    text = pdf_text(await download(portal, body["download_url"]))
    assert "Justificatif de paiement des prestations invalidité-décès" in text
    assert euros(12 * 125000) in text
    assert euros(db_sum(portal, "net_cents", "7654321", "2024-01", "2024-12")) in text


@pytest.mark.parametrize(
    "dossier, kind, start, end",
    [
        ("7654321", "paiement_invalidite_deces", "2023-01", "2023-12"),  # before the pension
        ("123456789", "paiement_invalidite_deces", "2024-01", "2024-12"),  # réversion only
        ("1234567", "versement_contributions", "2024-01", "2024-12"),  # no benefit at all
    ],
)
async def test_no_attestation_without_payment(
    portal: Portal, dossier: str, kind: str, start: str, end: str
) -> None:
    headers = await portal.login(dossier)
    before = portal.scalar("SELECT count(*) FROM documents")
    response = await portal.client.post(
        "/api/v1/me/attestations",
        headers=headers,
        json={"type": kind, "period_start": start, "period_end": end},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "aucun_paiement"
    assert portal.scalar("SELECT count(*) FROM documents") == before


@pytest.mark.parametrize(
    "body",
    [
        {"type": "versement_contributions", "period_start": "2025-02", "period_end": "2024-01"},
        {"type": "versement_contributions", "period_start": "2024", "period_end": "2024-12"},
        {"type": "attestation_de_tout", "period_start": "2024-01", "period_end": "2024-12"},
        {"type": "versement_contributions", "period_start": "2024-01"},
    ],
)
async def test_attestation_input_is_validated(portal: Portal, body: dict) -> None:
    headers = await portal.login("7654321")
    response = await portal.client.post("/api/v1/me/attestations", headers=headers, json=body)
    assert response.status_code == 422
    assert response.json()["error"]["message"]


async def test_tax_certificate_and_payment_slip_pdfs(portal: Portal) -> None:
    headers = await portal.login("7654321")
    tax = (
        await portal.client.get(
            "/api/v1/me/documents", headers=headers, params={"kind": "attestation_fiscale"}
        )
    ).json()["documents"][0]
    text = pdf_text(await download(portal, tax["download_url"]))
    gross = db_sum(portal, "gross_cents", "7654321", "2024-01", "2024-12")
    deductible = db_sum(portal, "csg_deductible_cents", "7654321", "2024-01", "2024-12")
    assert "Attestation fiscale 2024" in text
    assert euros(gross) in text and euros(gross - deductible) in text
    slip = (
        await portal.client.get(
            "/api/v1/me/documents", headers=headers, params={"kind": "bordereau", "year": "2025"}
        )
    ).json()["documents"][0]
    assert slip["period_start"] == "2025-10"
    text = pdf_text(await download(portal, slip["download_url"]))
    assert "octobre 2025" in text
    assert euros(db_sum(portal, "net_cents", "7654321", "2025-10", "2025-10")) in text
    letter = (
        await portal.client.get(
            "/api/v1/me/documents", headers=headers, params={"kind": "courrier"}
        )
    ).json()["documents"][0]
    assert "rente d'invalidité" in pdf_text(await download(portal, letter["download_url"]))


async def test_download_links_are_short_lived_and_tamper_proof(portal: Portal) -> None:
    headers = await portal.login("7654321")
    doc = (await portal.client.get("/api/v1/me/documents", headers=headers)).json()["documents"][0]
    path = doc["download_url"].replace("http://portal.test", "")
    body, signature = path.rsplit("/", 1)[1].split(".")
    forged = f"/api/v1/files/{body}.{signature[:-4]}AAAA"
    assert (await portal.client.get(forged)).status_code == 404
    assert (await portal.client.get("/api/v1/files/not-a-token")).status_code == 404
    portal.clock.advance(minutes=10)
    expired = await portal.client.get(path)
    assert expired.status_code == 410 and expired.json()["error"]["code"] == "lien_expire"
    fresh = await portal.client.get(
        f"/api/v1/me/documents/{doc['document_id']}", headers=await portal.login("7654321")
    )
    assert (
        await portal.client.get(fresh.json()["download_url"].replace("http://portal.test", ""))
    ).status_code == 200


async def test_a_contributor_downloads_the_contribution_call_and_the_schedule(
    portal: Portal,
) -> None:
    """« Appels de cotisations » and « échéanciers » (the fund's article on the Espace
    Personnel): listed by kind for the year, each a PDF of its own."""
    headers = await portal.login("1234567")
    made = (("appel_cotisations", "Appel de cotisations"), ("echeancier", "Échéancier"))
    for kind, title in made:
        listed = (
            await portal.client.get(
                "/api/v1/me/documents", headers=headers, params={"kind": kind, "year": "2025"}
            )
        ).json()
        assert listed["count"] == 1, listed
        document = listed["documents"][0]
        assert document["title"] == f"{title} 2025"
        assert f"{title} 2025" in pdf_text(await download(portal, document["download_url"]))
