"""The console's one call to the portal: the open handoff and callback tickets (service key)."""

from __future__ import annotations

from typing import Any

import httpx

from carpimko.text.privacy import mask_dossier, mask_personal_data, mask_phone

TIMEOUT = httpx.Timeout(5.0)


class PortalUnavailable(Exception):
    """The portal could not give the tickets; the page says so in French."""


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
        async with httpx.AsyncClient(
            base_url=portal_url,
            timeout=TIMEOUT,
            headers={"X-Service-Key": service_key, "Accept": "application/json"},
        ) as client:
            for kind in ("handoffs", "callbacks"):
                answer = await client.get(f"/api/v1/{kind}", params={"status": "open"})
                if answer.status_code != 200:
                    raise PortalUnavailable(f"{kind}: HTTP {answer.status_code}")
                tickets += answer.json().get("tickets", [])
    except (httpx.HTTPError, ValueError) as error:
        raise PortalUnavailable(str(error)) from error
    return sorted((_masked(t) for t in tickets), key=lambda t: str(t.get("created_at")))
