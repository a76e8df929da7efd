"""The one asynchronous client of the portal (Espace Personnel API, see docs/portal.md).

Every failure the user must not see ends up as one of two exceptions:

- :class:`PortalUnavailable`: connection refused, timeout (≤ 2 s per attempt), 5xx or an
  answer that is not the documented JSON. The action apologises and offers an alternative.
- :class:`PortalRejected`: a 4xx, with the portal's French message and code. The action may
  repeat the message (the portal never leaks more than the real site).

Only idempotent GETs are retried, once; a POST is sent exactly once.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import httpx

from actions.config import Settings, load_settings
from carpimko.ops import metrics, tracing

logger = logging.getLogger(__name__)

TOTAL_BUDGET_SECONDS = 2.5
"""All attempts of one call together: the user hears back within 3 s even on a hung portal."""
MIN_RETRY_SECONDS = 0.2
LETTER_HELD = "a_verifier"
"""The portal's ``letter_status`` of a letter over its hourly cap, held for a person."""


class PortalError(Exception):
    """Base class of the client's errors."""


class PortalUnavailable(PortalError):
    """The portal is down, too slow or broken (5xx): nothing was learnt."""


class PortalRejected(PortalError):
    """The portal refused the request (4xx) with a French message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        retry_after: int = 0,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.retry_after = retry_after
        """Seconds before a refused (429) request may succeed, as the portal says."""

    @property
    def minutes(self) -> str:
        """The wait in whole minutes (at least 1), for the throttled responses."""
        return str(max(1, -(-self.retry_after // 60)))


@dataclass(frozen=True)
class ContactInfo:
    phone: str
    hours_text: str
    opens: str
    closes: str
    address: str
    website: str
    secure_messaging: str
    open_now: bool
    next_opening: datetime
    phone_e164: str = ""
    """The advisors' line in E.164 (what the phone channel dials for a transfer)."""


@dataclass(frozen=True)
class ResetStarted:
    reset_id: str
    channels: tuple[str, ...]
    masked_email: str | None
    email_warning: str | None
    pending: str | None = None
    """« courrier » or « email »: a temporary password or a live link a new request cancels."""

    @property
    def email_possible(self) -> bool:
        return "email" in self.channels and self.masked_email is not None


@dataclass(frozen=True)
class ResetDelivery:
    channel: str
    masked_email: str | None = None
    link_expires_at: datetime | None = None
    expected_delivery_date: date | None = None
    letter_held: bool = False
    """Over the portal's hourly cap on letters: a person checks the request before it leaves."""


@dataclass(frozen=True)
class Ticket:
    ticket_id: str
    reference: str
    status: str


def _address(raw: dict[str, Any]) -> str:
    parts = [raw.get("name"), raw.get("line1"), raw.get("line2")]
    city = " ".join(p for p in (raw.get("postal_code"), raw.get("city")) if p)
    return ", ".join(str(p) for p in [*parts, city] if p)


def _seconds(value: object) -> int:
    try:
        return max(0, int(str(value)))
    except ValueError:
        return 0


class PortalClient:
    """Async client; use ``async with PortalClient(...) as portal:`` once per action run."""

    def __init__(self, settings: Settings | None = None, client_id: str | None = None) -> None:
        self.settings = settings or load_settings()
        self.client_id = client_id
        self._http: httpx.AsyncClient | None = None

    async def __aenter__(self) -> PortalClient:
        headers = {"X-Service-Key": self.settings.portal_service_key, "Accept": "application/json"}
        if self.client_id:
            # The portal rate-limits per end user when the service key is valid.
            headers["X-Forwarded-For"] = self.client_id
        self._http = httpx.AsyncClient(
            base_url=self.settings.portal_url,
            headers=headers,
            timeout=httpx.Timeout(self.settings.portal_timeout),
            # Certificates are checked for an https portal; plain http (loopback) needs no CA.
            verify=self.settings.portal_url.startswith("https://"),
        )
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    # --- transport -----------------------------------------------------------
    async def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """One call, retries included, counted and timed (carpimko.ops.metrics) under the path
        template, carrying the request id of the action being run."""
        endpoint = metrics.endpoint_label(path)
        kwargs["headers"] = {**tracing.headers(), **(kwargs.get("headers") or {})}
        started = time.monotonic()
        outcome = "unavailable"
        try:
            body = await self._attempts(method, path, **kwargs)
            outcome = "ok"
            return body
        except PortalRejected:
            outcome = "rejected"
            raise
        finally:
            metrics.PORTAL_CALLS.labels(method, endpoint, outcome).inc()
            metrics.PORTAL_SECONDS.labels(method, endpoint).observe(time.monotonic() - started)

    async def _attempts(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        if self._http is None:
            raise RuntimeError("PortalClient must be used with 'async with'")
        attempts = 1 + (self.settings.portal_read_retries if method == "GET" else 0)
        deadline = time.monotonic() + TOTAL_BUDGET_SECONDS
        last: Exception | None = None
        for attempt in range(attempts):
            remaining = deadline - time.monotonic()
            if attempt and remaining < MIN_RETRY_SECONDS:
                break
            timeout = httpx.Timeout(min(self.settings.portal_timeout, remaining))
            try:
                response = await self._http.request(method, path, timeout=timeout, **kwargs)
            except httpx.HTTPError as error:  # connect errors, timeouts, protocol errors
                logger.warning("portal %s %s failed (attempt %d): %r", method, path, attempt, error)
                last = error
                continue
            if response.status_code >= 500:
                logger.warning("portal %s %s answered %d", method, path, response.status_code)
                last = PortalUnavailable(f"HTTP {response.status_code}")
                continue
            return self._decode(response)
        raise PortalUnavailable(f"{method} {path}: {last!r}") from last

    @staticmethod
    def _decode(response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError as error:
            raise PortalUnavailable(f"non-JSON answer {response.status_code}") from error
        if not isinstance(body, dict):
            raise PortalUnavailable("unexpected JSON")
        if response.status_code >= 400:
            details = body.get("error") or {}
            raise PortalRejected(
                response.status_code,
                str(details.get("code", "inconnu")),
                str(details.get("message", "La demande n'a pas pu aboutir.")),
                details.get("field"),
                _seconds(details.get("retry_after") or response.headers.get("retry-after")),
            )
        return body

    # --- endpoints -----------------------------------------------------------
    async def contact(self) -> ContactInfo:
        body = await self._request("GET", "/api/v1/contact")
        try:
            hours = body["opening_hours"]
            return ContactInfo(
                phone=body["phone"],
                hours_text=hours.get("text")
                or f"du lundi au vendredi de {hours['opens']} à {hours['closes']}",
                opens=hours["opens"],
                closes=hours["closes"],
                address=_address(body.get("postal_address") or {}),
                website=body.get("website", "https://www.carpimko.com"),
                secure_messaging=body.get("secure_messaging", "Espace Personnel"),
                open_now=bool(body["open_now"]),
                next_opening=datetime.fromisoformat(body["next_opening"]),
                phone_e164=str(body.get("phone_e164") or ""),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise PortalUnavailable("unexpected contact answer") from error

    async def start_reset(self, profile: str, dossier_number: str) -> ResetStarted:
        body = await self._request(
            "POST",
            "/api/v1/password-resets",
            json={"profile": profile, "dossier_number": dossier_number},
        )
        try:
            return ResetStarted(
                reset_id=str(body["reset_id"]),
                channels=tuple(body["channels"]),
                masked_email=body.get("masked_email"),
                email_warning=body.get("email_warning"),
                pending=body.get("pending"),
            )
        except (KeyError, TypeError) as error:
            raise PortalUnavailable("unexpected reset answer") from error

    async def verify_identity(self, profile: str, dossier_number: str, postal_code: str) -> bool:
        """Second factor of the phone line: True when the postal code matches the dossier.

        A mismatch (404) is False; too many attempts (429) and other refusals raise
        ``PortalRejected``.
        """
        try:
            body = await self._request(
                "POST",
                "/api/v1/identity-checks",
                json={
                    "profile": profile,
                    "dossier_number": dossier_number,
                    "postal_code": postal_code,
                },
            )
        except PortalRejected as rejection:
            if rejection.status == 404:
                return False
            raise
        return body.get("verified") is True

    async def deliver_reset(self, reset_id: str, channel: str) -> ResetDelivery:
        body = await self._request(
            "POST", f"/api/v1/password-resets/{reset_id}/delivery", json={"channel": channel}
        )
        try:
            if body["channel"] == "email":
                return ResetDelivery(
                    channel="email",
                    masked_email=body.get("masked_email"),
                    link_expires_at=datetime.fromisoformat(body["expires_at"]),
                )
            if body.get("letter_status") == LETTER_HELD:
                return ResetDelivery(channel="courrier", letter_held=True)
            return ResetDelivery(
                channel="courrier",
                expected_delivery_date=date.fromisoformat(body["expected_delivery_date"][:10]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise PortalUnavailable("unexpected delivery answer") from error

    async def create_handoff(self, conversation_id: str, channel: str, summary: str) -> Ticket:
        body = await self._request(
            "POST",
            "/api/v1/handoffs",
            json={"conversation_id": conversation_id, "channel": channel, "summary": summary},
        )
        return self._ticket(body)

    async def create_callback(
        self, conversation_id: str, phone: str, channel: str, summary: str
    ) -> Ticket:
        body = await self._request(
            "POST",
            "/api/v1/callbacks",
            json={
                "conversation_id": conversation_id,
                "phone": phone,
                "channel": channel,
                "summary": summary,
            },
        )
        return self._ticket(body)

    @staticmethod
    def _ticket(body: dict[str, Any]) -> Ticket:
        try:
            return Ticket(str(body["ticket_id"]), str(body["reference"]), str(body["status"]))
        except KeyError as error:
            raise PortalUnavailable("unexpected ticket answer") from error


# --- the connected member (Authorization: Bearer <portal session token>) ----------------------
@dataclass(frozen=True)
class Member:
    """Who a portal session token belongs to, as the portal says (never the token's claims)."""

    dossier_number: str
    profile: str
    civility: str
    first_name: str
    last_name: str
    email_masked: str | None
    iban_masked: str | None
    benefit: str | None = None
    """Type of the benefit paid on the dossier (rente d'invalidité, réversion…), if any."""

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.civility, self.last_name) if p) or self.first_name


@dataclass(frozen=True)
class DocumentLink:
    title: str
    url: str
    year: int | None
    period_start: str | None
    period_end: str | None


@dataclass(frozen=True)
class RibChangeStarted:
    masked_iban: str
    code_sent_to: str
    masked_email: str | None
    expected_delivery_date: date | None
    letter_held: bool = False


@dataclass(frozen=True)
class EmailChangeStarted:
    masked_email: str
    warning: bool


@dataclass(frozen=True)
class AddressChanged:
    reference: str
    notification_channel: str
    letter_held: bool = False


@dataclass(frozen=True)
class DeclarationFiled:
    """A démarche recorded by the portal for the Invalidité-Décès service."""

    reference: str
    service_label: str
    documents_to_send: tuple[str, ...] = ()


@dataclass(frozen=True)
class PendingFile:
    """A file the member's browser uploaded to the portal; the assistant only sees this."""

    upload_id: str
    name: str
    content_type: str
    size: int
    used: bool


def _declaration(body: dict[str, Any]) -> DeclarationFiled:
    try:
        return DeclarationFiled(
            reference=str(body["reference"]),
            service_label=str(body.get("service_label") or "Service Invalidité-Décès"),
            documents_to_send=tuple(str(d) for d in body.get("documents_to_send") or ()),
        )
    except (KeyError, TypeError) as error:
        raise PortalUnavailable("unexpected declaration answer") from error


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _document(raw: dict[str, Any]) -> DocumentLink:
    return DocumentLink(
        title=str(raw["title"]),
        url=str(raw["download_url"]),
        year=raw.get("year"),
        period_start=raw.get("period_start"),
        period_end=raw.get("period_end"),
    )


class MemberPortal:
    """The member's own endpoints (``/api/v1/me/...``), on top of one :class:`PortalClient`.

    The token is passed per call and kept nowhere else: it lives only in the message's
    metadata for the turn (see docs/dialogue.md, « Identité »).
    """

    def __init__(self, portal: PortalClient, token: str) -> None:
        self._portal = portal
        self._headers = _bearer(token)

    async def me(self) -> Member:
        body = await self._portal._request("GET", "/api/v1/me", headers=self._headers)
        try:
            return Member(
                dossier_number=str(body["dossier_number"]),
                profile=str(body["profile"]),
                civility=str(body.get("civility") or ""),
                first_name=str(body.get("first_name") or ""),
                last_name=str(body.get("last_name") or ""),
                email_masked=body.get("email_masked"),
                iban_masked=(body.get("bank") or {}).get("iban_masked"),
                benefit=(body.get("benefit") or {}).get("type"),
            )
        except (KeyError, TypeError) as error:
            raise PortalUnavailable("unexpected profile answer") from error

    async def create_attestation(self, kind: str, start: str, end: str) -> DocumentLink:
        body = await self._portal._request(
            "POST",
            "/api/v1/me/attestations",
            headers=self._headers,
            json={"type": kind, "period_start": start, "period_end": end},
        )
        try:
            return _document(body)
        except (KeyError, TypeError) as error:
            raise PortalUnavailable("unexpected attestation answer") from error

    async def documents(self, year: int | None, kind: str | None) -> list[DocumentLink]:
        params: dict[str, str] = {}
        if year is not None:
            params["year"] = str(year)
        if kind is not None:
            params["kind"] = kind
        body = await self._portal._request(
            "GET", "/api/v1/me/documents", headers=self._headers, params=params
        )
        try:
            return [_document(item) for item in body["documents"]]
        except (KeyError, TypeError) as error:
            raise PortalUnavailable("unexpected documents answer") from error

    async def start_rib_change(self, iban: str, bic: str, holder: str) -> RibChangeStarted:
        body = await self._portal._request(
            "POST",
            "/api/v1/me/rib-changes",
            headers=self._headers,
            json={"iban": iban, "bic": bic, "holder_name": holder},
        )
        try:
            delivery = body.get("expected_delivery_date")
            return RibChangeStarted(
                masked_iban=str(body["masked_iban"]),
                code_sent_to=str(body["code_sent_to"]),
                masked_email=body.get("masked_email"),
                expected_delivery_date=date.fromisoformat(delivery[:10]) if delivery else None,
                letter_held=body.get("letter_status") == LETTER_HELD,
            )
        except (KeyError, TypeError, ValueError) as error:
            raise PortalUnavailable("unexpected RIB answer") from error

    async def is_current_iban(self, iban: str) -> bool:
        """Whether ``iban`` is the one on file, compared in full by the portal."""
        body = await self._portal._request(
            "POST", "/api/v1/me/rib-changes/check", headers=self._headers, json={"iban": iban}
        )
        try:
            return bool(body["same_as_current"])
        except (KeyError, TypeError) as error:
            raise PortalUnavailable("unexpected IBAN check answer") from error

    async def request_email_change(self, email: str) -> EmailChangeStarted:
        body = await self._portal._request(
            "POST", "/api/v1/me/email-changes", headers=self._headers, json={"email": email}
        )
        try:
            return EmailChangeStarted(str(body["masked_email"]), bool(body.get("warning")))
        except (KeyError, TypeError) as error:
            raise PortalUnavailable("unexpected e-mail change answer") from error

    async def change_address(self, line1: str, postal_code: str, city: str) -> AddressChanged:
        body = await self._portal._request(
            "POST",
            "/api/v1/me/address",
            headers=self._headers,
            json={"line1": line1, "postal_code": postal_code, "city": city, "country": "FR"},
        )
        try:
            return AddressChanged(
                str(body["reference"]),
                str(body["notification_channel"]),
                body.get("letter_status") == LETTER_HELD,
            )
        except (KeyError, TypeError) as error:
            raise PortalUnavailable("unexpected address answer") from error

    async def request_adult_child_increase(
        self, first_name: str, birth_date: date, situation: str
    ) -> DeclarationFiled:
        body = await self._portal._request(
            "POST",
            "/api/v1/me/adult-child-increases",
            headers=self._headers,
            json={
                "child_first_name": first_name,
                "child_birth_date": birth_date.isoformat(),
                "situation": situation,
            },
        )
        return _declaration(body)

    async def declare_work_resumption(self, resume_type: str, day: date) -> DeclarationFiled:
        body = await self._portal._request(
            "POST",
            "/api/v1/me/work-resumptions",
            headers=self._headers,
            json={"resume_type": resume_type, "date": day.isoformat()},
        )
        return _declaration(body)

    async def pending_file(self, upload_id: str) -> PendingFile:
        """The member's own uploaded file (another member's is a 404 ``PortalRejected``)."""
        body = await self._portal._request(
            "GET", f"/api/v1/me/uploads/{upload_id}", headers=self._headers
        )
        try:
            return PendingFile(
                upload_id=str(body["upload_id"]),
                name=str(body["name"]),
                content_type=str(body["content_type"]),
                size=int(body["size"]),
                used=bool(body.get("used")),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise PortalUnavailable("unexpected upload answer") from error

    async def send_sick_leave_extension(self, upload_id: str, comment: str) -> DeclarationFiled:
        body = await self._portal._request(
            "POST",
            "/api/v1/me/sick-leave-extensions",
            headers=self._headers,
            json={"upload_id": upload_id, "comment": comment},
        )
        return _declaration(body)

    async def send_message(
        self, service: str, subject: str, text: str, upload_id: str
    ) -> DeclarationFiled:
        body = await self._portal._request(
            "POST",
            "/api/v1/me/messages",
            headers=self._headers,
            json={"service": service, "subject": subject, "body": text, "upload_id": upload_id},
        )
        return _declaration(body)
