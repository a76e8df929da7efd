"""The two portal calls the demo site makes server-side: log in, and who is logged in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from carpimko.ops import tracing

TIMEOUT = httpx.Timeout(10.0)


class PortalError(Exception):
    """The portal refused or could not be reached; `message` is French, for the user."""

    def __init__(self, message: str, status: int = 502) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Login:
    """A session opened by the portal."""

    token: str
    must_change_password: bool


def _error_message(response: httpx.Response, default: str) -> str:
    try:
        body: Any = response.json()
        return str(body["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return default


def _client() -> httpx.AsyncClient:
    """A client that sends the request id of the page being served (carpimko.ops.tracing)."""
    return httpx.AsyncClient(timeout=TIMEOUT, headers=tracing.headers())


async def login(portal_url: str, profile: str, dossier: str, password: str) -> Login:
    """POST /api/v1/sessions; raises PortalError with the portal's own message."""
    try:
        async with _client() as client:
            response = await client.post(
                f"{portal_url}/api/v1/sessions",
                json={"profile": profile, "dossier_number": dossier, "password": password},
            )
    except httpx.HTTPError as error:
        raise PortalError(
            "Le service est momentanément indisponible. Réessayez plus tard."
        ) from error
    if response.status_code != 201:
        raise PortalError(
            _error_message(response, "Connexion impossible."), status=response.status_code
        )
    body = response.json()
    return Login(str(body["token"]), bool(body.get("must_change_password")))


async def me(portal_url: str, token: str) -> dict[str, Any] | None:
    """GET /api/v1/me with the session; None when the portal no longer accepts the token."""
    try:
        async with _client() as client:
            response = await client.get(
                f"{portal_url}/api/v1/me", headers={"Authorization": f"Bearer {token}"}
            )
    except httpx.HTTPError as error:
        raise PortalError(
            "Le service est momentanément indisponible. Réessayez plus tard."
        ) from error
    if response.status_code in (401, 403):
        return None
    if response.status_code != 200:
        raise PortalError(_error_message(response, "Le service est momentanément indisponible."))
    data: dict[str, Any] = response.json()
    return data


async def logout(portal_url: str, token: str) -> bool:
    """DELETE /api/v1/sessions: the portal revokes the token. False when it could not be told
    (the token then dies at its expiry, a few minutes later)."""
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            response = await client.delete(
                f"{portal_url}/api/v1/sessions", headers={"Authorization": f"Bearer {token}"}
            )
    except httpx.HTTPError:
        return False
    return response.status_code in (204, 401)


async def upload(
    portal_url: str, token: str, name: str, data: bytes, content_type: str
) -> tuple[int, dict[str, Any]]:
    """POST /api/v1/me/uploads for the chat widget: the portal's status and JSON, as they are
    (the portal checks type and size and words its refusals in French)."""
    try:
        async with _client() as client:
            response = await client.post(
                f"{portal_url}/api/v1/me/uploads",
                headers={"Authorization": f"Bearer {token}"},
                files={"file": (name, data, content_type or "application/octet-stream")},
            )
        body: Any = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise PortalError(
            "Le service est momentanément indisponible. Réessayez plus tard."
        ) from error
    if not isinstance(body, dict):
        raise PortalError("Le service est momentanément indisponible.")
    return response.status_code, body
