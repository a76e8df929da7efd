"""The bot's real client against the real portal: what one side writes, the other reads.

Every endpoint of ``actions/portal_client.py`` and ``actions/member_portal.py`` is called over
HTTP on the served app. The client names a route of ``portal.contract.routes``, checks its
body and parses the answer with that route's models: a call succeeds only if the portal
accepted what the client wrote and the client could read what the portal answered.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from portal_testkit import SERVICE_KEY, Portal

from actions.config import Settings
from actions.member_portal import MemberPortal
from actions.portal_client import A, PortalClient, PortalRejected
from portal.contract.accounts import FirstLogin
from portal.contract.base import read
from portal.contract.openapi import document
from portal.contract.procedures import HOLDER_PATTERN
from portal.contract.routes import Route
from portal.errors import ValidationFailed

pytestmark = pytest.mark.asyncio(loop_scope="module")
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
CLIENT_ENDPOINTS = 18
"""Public methods of PortalClient and MemberPortal that call the portal."""


class RecordingClient(PortalClient):
    """The real client, remembering which routes it called."""

    def __init__(self, url: str) -> None:
        settings = Settings(ZoneInfo("Europe/Paris"), 18, url, SERVICE_KEY)
        super().__init__(settings, client_id="contract-test")
        self.routes: list[Route[Any, Any]] = []

    async def call(self, route: Route[Any, A], json: Any = None, **kwargs: Any) -> A:
        answer = await super().call(route, json, **kwargs)
        self.routes.append(route)
        return answer


async def _upload(portal: Portal, headers: dict[str, str]) -> str:
    response = await portal.client.post(
        "/api/v1/me/uploads", headers=headers, files={"file": ("arret.pdf", PDF, "application/pdf")}
    )
    assert response.status_code == 201, response.text
    upload_id: str = response.json()["upload_id"]
    return upload_id


async def test_every_client_call_is_read_by_the_portal_and_back(portal: Portal) -> None:
    recorder = RecordingClient(str(portal.client.base_url))
    async with recorder as client:
        contact = await client.contact()
        started = await client.start_reset("affilie", "1234567")
        delivery = await client.deliver_reset(started.reset_id, "courrier")
        verified = await client.verify_identity("affilie", "1234567", "69 003")
        mismatch = await client.verify_identity("affilie", "1234567", "13001")
        handoff = await client.create_handoff("conv-1", "web", "Question sur la retraite")
        callback = await client.create_callback("conv-2", "06 12 34 56 78", "ivr", "Rappel")

        token = (await portal.login("7654321"))["Authorization"].split(" ", 1)[1]
        member = MemberPortal(client, token)
        me = await member.me()
        attestation = await member.create_attestation(
            "paiement_invalidite_deces", "2024-01", "2024-06"
        )
        listed = await member.documents(None, "attestation")
        same = await member.is_current_iban("FR7610278024500002012340156")
        rib = await member.start_rib_change("FR7630004008260001234567871", "BNPAFRPP", "Sophie B")
        email = await member.request_email_change("s.bernard@exemple.fr")
        address = await member.change_address("3 rue des Lilas", "69003", "Lyon")
        child = await member.request_adult_child_increase("Léa", date(2005, 3, 1), "etudes")
        resumed = await member.declare_work_resumption("temps_complet", date(2025, 12, 1))
        upload_id = await _upload(portal, {"Authorization": f"Bearer {token}"})
        pending = await member.pending_file(upload_id)
        extension = await member.send_sick_leave_extension(upload_id, "Prolongation d'un mois")
        second_file = await _upload(portal, {"Authorization": f"Bearer {token}"})
        message = await member.send_message("prestations", "Question", "Bonjour.", second_file)

    assert contact.phone == "01 30 48 10 00" and contact.next_opening.tzinfo is not None
    assert delivery.channel == "courrier" and delivery.expected_delivery_date == date(2025, 11, 17)
    assert (verified, mismatch) == (True, False)
    assert handoff.reference != callback.reference and callback.status == "open"
    assert me.dossier_number == "7654321" and me.iban_masked and "0123456769" not in me.iban_masked
    assert attestation.url.startswith("http") and any(d.title == attestation.title for d in listed)
    assert same is True and rib.code_sent_to in ("email", "courrier")
    assert email.masked_email and "s.bernard" not in email.masked_email
    assert address.reference and child.documents_to_send and resumed.reference
    assert pending.upload_id == upload_id and pending.used is False
    assert extension.service_label == "Service Invalidité-Décès" and message.reference

    used = {(route.path, route.method.lower()) for route in recorder.routes}
    assert len(used) == CLIENT_ENDPOINTS
    spec = (await portal.client.get("/openapi.json")).json()
    assert used <= {(path, method) for path, ops in spec["paths"].items() for method in ops}


async def test_a_holder_name_refused_by_the_document_is_refused_by_portal_and_client(
    portal: Portal,
) -> None:
    """The published pattern and the handler used to disagree on « -- »: one rule now."""
    assert re.match(HOLDER_PATTERN, "--") is None
    headers = await portal.login("7654321")
    body = {"iban": "FR7630004008260001234567871", "bic": "BNPAFRPP", "holder_name": "--"}
    served = await portal.client.post("/api/v1/me/rib-changes", headers=headers, json=body)
    assert served.status_code == 422 and served.json()["error"]["field"] == "holder_name"
    async with RecordingClient(str(portal.client.base_url)) as client:
        member = MemberPortal(client, headers["Authorization"].split(" ", 1)[1])
        with pytest.raises(PortalRejected) as refused:
            await member.start_rib_change(body["iban"], body["bic"], "--")
    assert refused.value.status == 422
    assert refused.value.message == served.json()["error"]["message"]
    assert portal.scalar("SELECT count(*) FROM rib_changes") == 0


async def test_the_served_openapi_document_is_the_generated_one(portal: Portal) -> None:
    served = (await portal.client.get("/openapi.json")).json()
    settings = portal.app.ctx.settings
    generated = json.loads(json.dumps(document(settings.public_url, settings.demo_mode)))
    assert served == generated


async def test_every_served_route_is_in_the_document_and_back(portal: Portal) -> None:
    spec = (await portal.client.get("/openapi.json")).json()
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    served = set()
    for route in portal.app.router.routes:
        path = re.sub(r"<(\w+)(:\w+)?>", r"{\1}", "/" + route.path.strip("/"))
        served |= {(path, method) for method in route.methods if method != "HEAD"}
    assert served == documented


async def test_the_action_server_reads_the_contract_without_sanic_or_sql() -> None:
    probe = (
        "import sys, actions.portal_client, actions.member_portal, portal.contract.openapi; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sanic', 'sqlalchemy'}))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({}, "new_password", "Le champ « mot de passe » est obligatoire."),
        (
            {"new_password": "Abcdefg1", "new_password_confirmation": "Abcdefg1", "email": "x"},
            "email",
            "L'adresse e-mail n'est pas valide (exemple : prenom.nom@exemple.fr).",
        ),
        (
            {"new_password": "A", "new_password_confirmation": "A", "email": "a@b.fr"},
            "accept_terms",
            "Le champ « acceptation des conditions générales » doit valoir true ou false.",
        ),
    ],
)
async def test_a_body_is_refused_at_its_first_field_with_that_field_s_french_message(
    body: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        read(FirstLogin, body)
    assert (refused.value.field, refused.value.message) == (field, message)
