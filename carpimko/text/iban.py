"""IBANs: found in any spelling, normalised and masked in one way for the bot and the portal.

People type an IBAN as one block, in groups of four, in the French RIB grouping
(« FR76 30004 00826 00012345678 71 »), with double spaces, dots or dashes, in lower case.
:func:`find_ibans` accepts every such spelling (the same characters the RIB form accepts) and
asks schwifty's registry how long an IBAN of that country is, so that the words after it are
never swallowed. A value that fails the checksum is still found when its account part has the
country's format (schwifty's BBAN structure): a mistyped IBAN is personal data all the same.

:func:`mask_iban` is the only masked form anybody shows: ``FR76 **** **** 7871``.
"""

from __future__ import annotations

import re

from schwifty import IBAN
from schwifty.domain import IBANSpec
from schwifty.exceptions import InvalidCountryCode, SchwiftyException
from schwifty.registry import get_iban_spec

from carpimko.text.normalize import Found

_SEPARATORS = r"[\s.\-]*"
_CANDIDATE_RE = re.compile(
    rf"(?<![A-Za-z0-9])[A-Za-z]{{2}}{_SEPARATORS}\d{{2}}(?:{_SEPARATORS}[A-Za-z0-9]){{10,32}}"
)
_ALNUM_RE = re.compile(r"[A-Za-z0-9]")


def normalize_iban(raw: str) -> str:
    """Upper case without spaces, dots or dashes (« fr76 3000 » → « FR763000 »)."""
    return re.sub(r"[\s.\-]", "", raw).upper()


def _spec(country_code: str) -> IBANSpec | None:
    try:
        return get_iban_spec(country_code.upper())
    except InvalidCountryCode:
        return None


def is_valid_iban(compact: str) -> bool:
    """Whether schwifty accepts ``compact`` (checksum, length and format of its country)."""
    try:
        IBAN(compact)
    except SchwiftyException:
        return False
    return True


_MISSING = 3
"""An IBAN typed with up to this many characters left out is still one."""


def _looks_like_iban(compact: str, spec: IBANSpec) -> bool:
    """Valid; or of the country's length and account format with wrong check digits; or a few
    characters short with an account part of digits (at most two letters)."""
    if not compact[2:4].isdigit():
        return False
    if len(compact) == spec.iban_length:
        return is_valid_iban(compact) or bool(spec.regex.fullmatch(compact[4:]))
    letters = sum(ch.isalpha() for ch in compact[4:])
    return spec.iban_length - _MISSING <= len(compact) < spec.iban_length and letters <= 2


def _longest_iban(text: str, start: int, chars: list[re.Match[str]]) -> Found | None:
    """The longest prefix of the candidate's characters that reads as an IBAN; a short one
    must end where a group ends (« … 4567 87 oups » is not « …456787O »)."""
    spec = _spec(chars[0].group() + chars[1].group())
    if spec is None:
        return None
    for count in range(min(spec.iban_length, len(chars)), spec.iban_length - _MISSING - 1, -1):
        end = start + chars[count - 1].end()
        if count < spec.iban_length and end < len(text) and text[end].isalnum():
            continue
        compact = "".join(c.group() for c in chars[:count]).upper()
        if _looks_like_iban(compact, spec):
            return Found(start, end, compact)
    return None


def find_ibans(text: str) -> list[Found]:
    """Every IBAN in ``text``, however it is spaced, with its span and compact value."""
    found: list[Found] = []
    position = 0
    while match := _CANDIDATE_RE.search(text, position):
        iban = _longest_iban(text, match.start(), list(_ALNUM_RE.finditer(match.group())))
        if iban is not None:
            found.append(iban)
        position = iban.end if iban is not None else match.start() + 1
    return found


def mask_iban(iban: str) -> str:
    """Country and check digits, then the last four characters: ``FR76 **** **** 0189``."""
    compact = normalize_iban(iban)
    if len(compact) <= 8:
        return "*" * len(compact)
    return f"{compact[:4]} **** **** {compact[-4:]}"
