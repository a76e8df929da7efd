"""The one asynchronous client of the portal (Espace Personnel API, see docs/portal.md).

Every failure the user must not see ends up as one of two exceptions:

- :class:`PortalUnavailable`: connection refused, timeout (≤ 2 s per attempt), 5xx or an
  answer that is not the documented JSON. The action apologises and offers an alternative.
- :class:`PortalRejected`: a 4xx, with the portal's French message and code. The action may
  repeat the message (the portal never leaks more than the real site).

Only idempotent GETs are retried, once; a POST is sent exactly once. Requests are checked and
answers parsed by the portal's own contract models (``portal.contract``), in :meth:`call`.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import httpx
from pydantic import ValidationError

from actions.config import Settings, load_settings
from actions.portal_views import (
    AddressChanged,
    ContactInfo,
    DeclarationFiled,
    DocumentLink,
    EmailChangeStarted,
    Member,
    PendingFile,
    ResetDelivery,
    ResetStarted,
    RibChangeStarted,
    Ticket,
)
from carpimko.ops import metrics, tracing
from portal.contract import base as contract
from portal.contract import routes, support
from portal.contract.routes import A, Route
from portal.errors import PortalError as ContractRefusal

logger = logging.getLogger(__name__)

TOTAL_BUDGET_SECONDS = 2.5
"""All attempts of one call together: the user hears back within 3 s even on a hung portal."""
MIN_RETRY_SECONDS = 0.2
__all__ = [
    "AddressChanged",
    "ContactInfo",
    "DeclarationFiled",
    "DocumentLink",
    "EmailChangeStarted",
    "Member",
    "PendingFile",
    "PortalClient",
    "PortalError",
    "PortalRejected",
    "PortalUnavailable",
    "ResetDelivery",
    "ResetStarted",
    "RibChangeStarted",
    "Ticket",
]


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
            raise _rejection(response, body)
        return body

    # --- the one call every endpoint goes through -------------------------------------
    async def call(
        self,
        route: Route[Any, A],
        json: dict[str, Any] | None = None,
        *,
        params: dict[str, str] | None = None,
        token: str | None = None,
        **path: str,
    ) -> A:
        """Call one route of the contract (``portal.contract.routes``): ``json`` is checked
        first with the route's body model, so a refusal is the portal's own 422 without a
        round trip, and the answer is parsed with the route's answer model; an answer the
        contract does not describe is :class:`PortalUnavailable`."""
        if route.body is not None:
            _check(route.body, json or {})
        kwargs: dict[str, Any] = {"json": json} if json is not None else {}
        if params:
            kwargs["params"] = params
        if token is not None:
            kwargs["headers"] = {"Authorization": f"Bearer {token}"}
        body = await self._request(route.method, route.path.format(**path), **kwargs)
        assert route.answer is not None, f"{route.path} has no JSON answer"
        try:
            return route.answer.parse_obj(body)
        except ValidationError as error:
            raise PortalUnavailable(f"unexpected answer to {route.path}: {error}") from error

    # --- endpoints -----------------------------------------------------------
    async def contact(self) -> ContactInfo:
        return ContactInfo.of(await self.call(routes.CONTACT))

    async def start_reset(self, profile: str, dossier_number: str) -> ResetStarted:
        asked = {"profile": profile, "dossier_number": dossier_number}
        return ResetStarted.of(await self.call(routes.RESET_START, asked))

    async def verify_identity(self, profile: str, dossier_number: str, postal_code: str) -> bool:
        """Second factor of the phone line: True when the postal code matches the dossier.

        A mismatch (404) is False; too many attempts (429) and other refusals raise
        ``PortalRejected``.
        """
        asked = {"profile": profile, "dossier_number": dossier_number, "postal_code": postal_code}
        try:
            await self.call(routes.IDENTITY_CHECK, asked)
        except PortalRejected as rejection:
            if rejection.status == 404:
                return False
            raise
        return True

    async def deliver_reset(self, reset_id: str, channel: str) -> ResetDelivery:
        answer = await self.call(routes.RESET_DELIVERY, {"channel": channel}, reset_id=reset_id)
        return ResetDelivery.of(answer)

    async def create_handoff(self, conversation_id: str, channel: str, summary: str) -> Ticket:
        asked = {"conversation_id": conversation_id, "channel": channel, "summary": summary}
        return await self.call(routes.HANDOFF, asked)

    async def create_callback(
        self, conversation_id: str, phone: str, channel: str, summary: str
    ) -> Ticket:
        asked = {
            "conversation_id": conversation_id,
            "phone": phone,
            "channel": channel,
            "summary": summary,
        }
        return await self.call(routes.CALLBACK, asked)


def _check(model: type[contract.Request], json: dict[str, Any]) -> None:
    """The portal's own refusal (same code, French message and field), raised here."""
    try:
        contract.read(model, json)
    except ContractRefusal as refusal:
        raise PortalRejected(
            refusal.status, refusal.code, refusal.message, refusal.field
        ) from refusal


def _rejection(response: httpx.Response, body: dict[str, Any]) -> PortalRejected:
    waited = _seconds(response.headers.get("retry-after"))
    try:
        details = support.Error.parse_obj(body).error
    except ValidationError:
        return PortalRejected(
            response.status_code, "inconnu", "La demande n'a pas pu aboutir.", None, waited
        )
    return PortalRejected(
        response.status_code,
        details.code,
        details.message,
        details.field,
        details.retry_after or waited,
    )
