"""Masking of personal data shown to someone who is not yet authenticated."""

from __future__ import annotations


def mask_email(email: str) -> str:
    """`jeandy@carpimko.com` -> `j****dy@c*****.com`, as on the fund's reset page.

    A fixed number of stars hides the length of each part.
    """
    local, _, domain = email.partition("@")
    name, dot, tld = domain.rpartition(".")
    if not dot:
        name, tld = domain, ""
    masked_local = local[:1] + "****" + (local[-2:] if len(local) > 3 else "")
    masked_domain = name[:1] + "*****" + (f".{tld}" if tld else "")
    return f"{masked_local}@{masked_domain}"


def mask_iban(iban: str) -> str:
    """Country and check digits, then the last four characters: `FR76 **** **** 0189`."""
    compact = iban.replace(" ", "").upper()
    return f"{compact[:4]} **** **** {compact[-4:]}"
