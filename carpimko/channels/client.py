"""Who is really on the other end of a channel: the transport's client address, never a value
the user sends.

The portal limits dossier look-ups and logins per end user (``X-Forwarded-For`` sent by the
action server, actions/common.py). That key used to come from the message's metadata or the
sender id, both chosen by the user: thirty look-ups from thirty sender ids with thirty forged
``client_ip`` were thirty answers. Every channel now calls :func:`stamp_client` on the metadata
it hands to Rasa: whatever ``client_ip``/``client_id`` the user sent is replaced by the address
the transport saw.

Behind a reverse proxy every request comes from the proxy; its ``X-Forwarded-For`` is believed
only when the peer is one of ``CARPIMKO_TRUSTED_PROXIES`` (addresses or networks, separated by
spaces or commas; empty by default: the header is ignored). The client is then the right-most
address of that header that is not itself a trusted proxy (the left part is the user's to
write).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

TRUSTED_PROXIES_SETTING = "CARPIMKO_TRUSTED_PROXIES"
CLIENT_KEY = "client_ip"
USER_CLIENT_KEYS = ("client_ip", "client_id")
"""Metadata keys the actions read as the end user's identity for the portal's limits."""

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _parse_networks(text: str) -> tuple[Network, ...]:
    return tuple(
        ipaddress.ip_network(part, strict=False) for part in text.replace(",", " ").split()
    )


def trusted_proxies(env: Mapping[str, str] | None = None) -> tuple[Network, ...]:
    """The configured proxies (``CARPIMKO_TRUSTED_PROXIES``); a malformed entry raises
    ValueError at the first request rather than trusting anything."""
    env = os.environ if env is None else env
    return _parse_networks(env.get(TRUSTED_PROXIES_SETTING, ""))


def _is_trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(
    peer: str | None, forwarded_for: str | None, proxies: tuple[Network, ...] | None = None
) -> str:
    """The end user's address: `peer` (the socket's), or behind a trusted proxy the right-most
    untrusted address of its ``X-Forwarded-For``."""
    proxies = trusted_proxies() if proxies is None else proxies
    address = (peer or "").strip() or "inconnu"
    if not forwarded_for or not _is_trusted(address, proxies):
        return address[:64]
    for hop in reversed(forwarded_for.split(",")):
        hop = hop.strip()
        if hop and not _is_trusted(hop, proxies):
            return hop[:64]
    return address[:64]


def request_client(request: Any) -> str:
    """:func:`client_address` of a Sanic request."""
    return client_address(getattr(request, "ip", None), request.headers.get("x-forwarded-for"))


def stamp_client(metadata: Mapping[str, Any] | None, address: str) -> dict[str, Any]:
    """A copy of `metadata` whose client identity is `address` and nothing the user sent."""
    stamped = {k: v for k, v in (metadata or {}).items() if k not in USER_CLIENT_KEYS}
    stamped[CLIENT_KEY] = address
    return stamped
