"""The connected member's own endpoints (``/api/v1/me/...``), through one :class:`PortalClient`.

Each call names its request and answer models (``portal.contract``); the client checks, sends
and parses, and this module only turns the answers into the views the actions read.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from actions.portal_client import PortalClient
from actions.portal_views import (
    AddressChanged,
    DeclarationFiled,
    DocumentLink,
    EmailChangeStarted,
    Member,
    PendingFile,
    RibChangeStarted,
)
from portal.contract import routes
from portal.contract.routes import A, Route


class MemberPortal:
    """The member's own endpoints (``/api/v1/me/...``), on top of one :class:`PortalClient`.

    The token is passed per call and kept nowhere else: it lives only in the message's
    metadata for the turn (see docs/dialogue.md, « Identité »).
    """

    def __init__(self, portal: PortalClient, token: str) -> None:
        self._portal = portal
        self._token = token

    async def _call(
        self, route: Route[Any, A], json: dict[str, Any] | None = None, **kwargs: Any
    ) -> A:
        return await self._portal.call(route, json, token=self._token, **kwargs)

    async def me(self) -> Member:
        return Member.of(await self._call(routes.ME))

    async def create_attestation(self, kind: str, start: str, end: str) -> DocumentLink:
        asked = {"type": kind, "period_start": start, "period_end": end}
        return DocumentLink.of(await self._call(routes.ATTESTATION, asked))

    async def documents(self, year: int | None, kind: str | None) -> list[DocumentLink]:
        params: dict[str, str] = {}
        if year is not None:
            params["year"] = str(year)
        if kind is not None:
            params["kind"] = kind
        answer = await self._call(routes.DOCUMENTS, params=params)
        return [DocumentLink.of(item) for item in answer.documents]

    async def start_rib_change(self, iban: str, bic: str, holder: str) -> RibChangeStarted:
        asked = {"iban": iban, "bic": bic, "holder_name": holder}
        return RibChangeStarted.of(await self._call(routes.RIB_CHANGE, asked))

    async def is_current_iban(self, iban: str) -> bool:
        """Whether ``iban`` is the one on file, compared in full by the portal."""
        return (await self._call(routes.RIB_CHECK, {"iban": iban})).same_as_current

    async def request_email_change(self, email: str) -> EmailChangeStarted:
        return await self._call(routes.EMAIL_CHANGE, {"email": email})

    async def change_address(self, line1: str, postal_code: str, city: str) -> AddressChanged:
        asked = {"line1": line1, "postal_code": postal_code, "city": city, "country": "FR"}
        return await self._call(routes.ADDRESS, asked)

    async def request_adult_child_increase(
        self, first_name: str, birth_date: date, situation: str
    ) -> DeclarationFiled:
        asked = {
            "child_first_name": first_name,
            "child_birth_date": birth_date.isoformat(),
            "situation": situation,
        }
        answer = await self._call(routes.ADULT_CHILD, asked)
        return DeclarationFiled.of(answer, answer.documents_to_send)

    async def declare_work_resumption(self, resume_type: str, day: date) -> DeclarationFiled:
        asked = {"resume_type": resume_type, "date": day.isoformat()}
        return DeclarationFiled.of(await self._call(routes.WORK_RESUMPTION, asked))

    async def pending_file(self, upload_id: str) -> PendingFile:
        """The member's own uploaded file (another member's is a 404 ``PortalRejected``)."""
        return await self._call(routes.UPLOAD, upload_id=upload_id)

    async def send_sick_leave_extension(self, upload_id: str, comment: str) -> DeclarationFiled:
        asked = {"upload_id": upload_id, "comment": comment}
        return DeclarationFiled.of(await self._call(routes.SICK_LEAVE, asked))

    async def send_message(
        self, service: str, subject: str, text: str, upload_id: str
    ) -> DeclarationFiled:
        asked = {"service": service, "subject": subject, "body": text, "upload_id": upload_id}
        return DeclarationFiled.of(await self._call(routes.MESSAGE, asked))
