"""The console's calls to the portal (service key): the open handoff and callback tickets, and
the letters held over the portal's hourly cap, which a staff member releases or cancels."""

from __future__ import annotations

from typing import Any

import httpx

from carpimko.text.privacy import mask_dossier, mask_personal_data, mask_phone

TIMEOUT = httpx.Timeout(5.0)


class PortalUnavailable(Exception):
    """The portal could not give the tickets; the page says so in French."""


def _client(portal_url: str, service_key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=portal_url,
        timeout=TIMEOUT,
        headers={"X-Service-Key": service_key, "Accept": "application/json"},
    )


def _masked(ticket: dict[str, Any]) -> dict[str, Any]:
    """What staff see of a ticket: the dossier and the phone partly, the summary masked."""
    shown = dict(ticket)
    if ticket.get("dossier_number"):
        shown["dossier_number"] = mask_dossier(str(ticket["dossier_number"]))
    if ticket.get("phone"):
        shown["phone"] = mask_phone(str(ticket["phone"]))
    shown["summary"] = mask_personal_data(str(ticket.get("summary") or ""))
    return shown


async def open_tickets(portal_url: str, service_key: str) -> list[dict[str, Any]]:
    """Open handoffs and callbacks, oldest first (the queue order)."""
    tickets: list[dict[str, Any]] = []
    try:
        async with _client(portal_url, service_key) as client:
            for kind in ("handoffs", "callbacks"):
                answer = await client.get(f"/api/v1/{kind}", params={"status": "open"})
                if answer.status_code != 200:
                    raise PortalUnavailable(f"{kind}: HTTP {answer.status_code}")
                tickets += answer.json().get("tickets", [])
    except (httpx.HTTPError, ValueError) as error:
        raise PortalUnavailable(str(error)) from error
    return sorted((_masked(t) for t in tickets), key=lambda t: str(t.get("created_at")))


def _masked_letter(letter: dict[str, Any]) -> dict[str, Any]:
    """What staff see of a held letter: when, what, the dossier partly (never its text)."""
    shown = {k: letter.get(k) for k in ("letter_id", "subject", "status", "created_at")}
    shown["expected_delivery_date"] = letter.get("expected_delivery_date")
    number = letter.get("dossier_number")
    shown["dossier_number"] = mask_dossier(str(number)) if number else None
    return shown


async def held_letters(portal_url: str, service_key: str) -> list[dict[str, Any]]:
    """Letters waiting for a person (over the portal's hourly cap), oldest first."""
    try:
        async with _client(portal_url, service_key) as client:
            answer = await client.get("/api/v1/held-letters")
            if answer.status_code != 200:
                raise PortalUnavailable(f"held-letters: HTTP {answer.status_code}")
            letters = answer.json().get("letters", [])
    except (httpx.HTTPError, ValueError) as error:
        raise PortalUnavailable(str(error)) from error
    return [_masked_letter(letter) for letter in letters]


class LetterAlreadyDecided(Exception):
    """Another staff member released or cancelled the letter first (or it does not exist)."""


async def decide_letter(
    portal_url: str, service_key: str, letter_id: int, decision: str
) -> dict[str, Any]:
    """``release`` (to print now) or ``cancel`` a held letter; the portal's answer, masked."""
    try:
        async with _client(portal_url, service_key) as client:
            answer = await client.post(f"/api/v1/held-letters/{letter_id}/{decision}")
            if answer.status_code in (404, 409):
                raise LetterAlreadyDecided(str(answer.status_code))
            if answer.status_code != 200:
                raise PortalUnavailable(f"held-letters {decision}: HTTP {answer.status_code}")
            return _masked_letter(answer.json())
    except (httpx.HTTPError, ValueError) as error:
        raise PortalUnavailable(str(error)) from error
