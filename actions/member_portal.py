"""The connected member's own endpoints (``/api/v1/me/...``), through one :class:`PortalClient`.

Each call names its request and answer models (``portal.contract``); the client checks, sends
and parses, and this module only turns the answers into the views the actions read.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from actions.portal_client import A, PortalClient
from actions.portal_views import (
    AddressChanged,
    DeclarationFiled,
    DocumentLink,
    EmailChangeStarted,
    Member,
    PendingFile,
    RibChangeStarted,
)
from portal.contract import accounts, documents, messages, procedures


class MemberPortal:
    """The member's own endpoints (``/api/v1/me/...``), on top of one :class:`PortalClient`.

    The token is passed per call and kept nowhere else: it lives only in the message's
    metadata for the turn (see docs/dialogue.md, « Identité »).
    """

    def __init__(self, portal: PortalClient, token: str) -> None:
        self._portal = portal
        self._token = token

    async def _call(self, method: str, path: str, answer: type[A], **kwargs: Any) -> A:
        return await self._portal.call(method, path, answer, token=self._token, **kwargs)

    async def me(self) -> Member:
        return Member.of(await self._call("GET", "/api/v1/me", accounts.Me))

    async def create_attestation(self, kind: str, start: str, end: str) -> DocumentLink:
        answer = await self._call(
            "POST",
            "/api/v1/me/attestations",
            documents.Attestation,
            request=documents.AttestationRequest,
            json={"type": kind, "period_start": start, "period_end": end},
        )
        return DocumentLink.of(answer)

    async def documents(self, year: int | None, kind: str | None) -> list[DocumentLink]:
        params: dict[str, str] = {}
        if year is not None:
            params["year"] = str(year)
        if kind is not None:
            params["kind"] = kind
        answer = await self._call("GET", "/api/v1/me/documents", documents.Documents, params=params)
        return [DocumentLink.of(item) for item in answer.documents]

    async def start_rib_change(self, iban: str, bic: str, holder: str) -> RibChangeStarted:
        answer = await self._call(
            "POST",
            "/api/v1/me/rib-changes",
            procedures.RibChange,
            request=procedures.RibChangeRequest,
            json={"iban": iban, "bic": bic, "holder_name": holder},
        )
        return RibChangeStarted.of(answer)

    async def is_current_iban(self, iban: str) -> bool:
        """Whether ``iban`` is the one on file, compared in full by the portal."""
        answer = await self._call(
            "POST",
            "/api/v1/me/rib-changes/check",
            procedures.RibCheck,
            request=procedures.RibCheckRequest,
            json={"iban": iban},
        )
        return answer.same_as_current

    async def request_email_change(self, email: str) -> EmailChangeStarted:
        answer = await self._call(
            "POST",
            "/api/v1/me/email-changes",
            procedures.EmailChange,
            request=procedures.EmailChangeRequest,
            json={"email": email},
        )
        return EmailChangeStarted(answer.masked_email, bool(answer.warning))

    async def change_address(self, line1: str, postal_code: str, city: str) -> AddressChanged:
        answer = await self._call(
            "POST",
            "/api/v1/me/address",
            procedures.AddressChanged,
            request=procedures.AddressRequest,
            json={"line1": line1, "postal_code": postal_code, "city": city, "country": "FR"},
        )
        return AddressChanged(answer.reference, answer.notification_channel)

    async def request_adult_child_increase(
        self, first_name: str, birth_date: date, situation: str
    ) -> DeclarationFiled:
        answer = await self._call(
            "POST",
            "/api/v1/me/adult-child-increases",
            procedures.AdultChildFiled,
            request=procedures.AdultChildRequest,
            json={
                "child_first_name": first_name,
                "child_birth_date": birth_date.isoformat(),
                "situation": situation,
            },
        )
        return DeclarationFiled.of(answer, answer.documents_to_send)

    async def declare_work_resumption(self, resume_type: str, day: date) -> DeclarationFiled:
        answer = await self._call(
            "POST",
            "/api/v1/me/work-resumptions",
            procedures.WorkResumptionFiled,
            request=procedures.WorkResumptionRequest,
            json={"resume_type": resume_type, "date": day.isoformat()},
        )
        return DeclarationFiled.of(answer)

    async def pending_file(self, upload_id: str) -> PendingFile:
        """The member's own uploaded file (another member's is a 404 ``PortalRejected``)."""
        answer = await self._call("GET", f"/api/v1/me/uploads/{upload_id}", messages.Upload)
        return PendingFile(
            answer.upload_id, answer.name, answer.content_type, answer.size, answer.used
        )

    async def send_sick_leave_extension(self, upload_id: str, comment: str) -> DeclarationFiled:
        answer = await self._call(
            "POST",
            "/api/v1/me/sick-leave-extensions",
            messages.Message,
            request=messages.SickLeaveRequest,
            json={"upload_id": upload_id, "comment": comment},
        )
        return DeclarationFiled.of(answer)

    async def send_message(
        self, service: str, subject: str, text: str, upload_id: str
    ) -> DeclarationFiled:
        answer = await self._call(
            "POST",
            "/api/v1/me/messages",
            messages.Message,
            request=messages.MessageRequest,
            json={"service": service, "subject": subject, "body": text, "upload_id": upload_id},
        )
        return DeclarationFiled.of(answer)
