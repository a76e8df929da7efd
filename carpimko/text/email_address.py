"""E-mail addresses: found, normalised, checked and masked in one way for the bot and the portal.

:func:`find_emails` finds addresses in free text, typed or dictated on the phone
(« jean point dupont arobase orange point fr »); :func:`is_valid_email` is the portal's check of
one address (ASCII, dot-separated host labels, at most 254 characters); :func:`mask_email` is
the only masked form anybody shows, the one of the fund's reset page
(``j****nt@e*****.fr``: a fixed number of stars hides the length of each part).
"""

from __future__ import annotations

import re

from carpimko.text.normalize import Found

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_VALID_RE = re.compile(rf"^[a-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_LABEL}(?:\.{_LABEL})+$")
_TYPED_RE = re.compile(r"[\w.+%\-]+ ?@ ?[\w\-]+(?:\.[\w\-]+)*\.[a-z]{2,}", re.IGNORECASE)
_SPOKEN_RE = re.compile(
    r"\b[\w\-]+(?:\s+(?:point|tiret(?:\s+bas)?|underscore)\s+[\w\-]+)*"
    r"\s+(?:arobase|arrobase|a\s+commercial)\s+"
    r"[\w\-]+(?:\s+(?:point|tiret)\s+[\w\-]+)*\s+point\s+[a-z]{2,}\b",
    re.IGNORECASE,
)
_SPOKEN_SYMBOLS = (
    (re.compile(r"\s*\b(?:arobase|arrobase|at|a commercial)\b\s*"), "@"),
    (re.compile(r"\s*\b(?:point|dot)\b\s*"), "."),
    (re.compile(r"\s*\b(?:tiret bas|underscore)\b\s*"), "_"),
    (re.compile(r"\s*\b(?:tiret|moins)\b\s*"), "-"),
)
SPOKEN_HINTS = ("arobase", "arrobase", "commercial")
"""Words that announce a dictated address: a cheap test before the costly search."""


def normalize_email(raw: str) -> str:
    """Lower-case and trim an address; read dictated « arobase » / « point » forms.

    Trailing sentence punctuation (« ...@orange.fr. ») and a ``mailto:`` prefix are removed.
    """
    email = raw.strip().lower().removeprefix("mailto:")
    if "@" not in email:
        for pattern, symbol in _SPOKEN_SYMBOLS:
            email = pattern.sub(symbol, email)
    email = re.sub(r"\s*([@.])\s*", r"\1", email)
    return email.strip(" .,;:!?<>()[]\"'")


def find_emails(text: str) -> list[Found]:
    """Addresses in ``text``, typed or dictated, in order, with their spans."""
    found = [
        Found(m.start(), m.end(), normalize_email(m.group())) for m in _TYPED_RE.finditer(text)
    ]
    for match in _SPOKEN_RE.finditer(text):
        if not any(match.start() < f.end and f.start < match.end() for f in found):
            found.append(Found(match.start(), match.end(), normalize_email(match.group())))
    return sorted(found, key=lambda f: f.start)


def is_valid_email(address: str) -> bool:
    """Whether the portal can send to ``address`` (already lower-cased and trimmed)."""
    return len(address) <= 254 and address.isascii() and bool(_VALID_RE.match(address))


def mask_email(email: str) -> str:
    """``jeandy@carpimko.com`` → ``j****dy@c*****.com``, as on the fund's reset page."""
    local, _, domain = email.strip().rpartition("@")
    if not local:
        return "*" * len(email.strip())
    name, dot, tld = domain.rpartition(".")
    if not dot:
        name, tld = domain, ""
    masked_local = local[:1] + "****" + (local[-2:] if len(local) > 3 else "")
    masked_domain = name[:1] + "*****" + (f".{tld}" if tld else "")
    return f"{masked_local}@{masked_domain}"
