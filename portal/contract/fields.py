"""Request field kinds: each pairs a rule of ``portal.validation`` with its JSON schema.

The numbers (lengths) are given once and serve both the check and the published schema.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any, Literal, get_args

from portal import validation
from portal.contract.base import checked

Profile = Literal["affilie", "ayant_droit"]
LetterStatus = Literal["a_imprimer", "a_verifier", "annule"]
"""A letter's place in the outbox: to print, held for a person (over the hourly cap), cancelled."""
LETTER_HELD = "a_verifier"
MONTH_PATTERN = r"^(19|2[01])\d\d-(0[1-9]|1[0-2])$"
DOSSIER_SCHEMA = {
    "type": "string",
    "pattern": r"^\d{7}(\d{2})?$",
    "example": "1234567",
    "description": "7 ou 9 chiffres, quel que soit le profil : le dossier décide",
}
HEX_ID_PATTERN = "^[0-9a-f]{32}$"
_SINGLE_LINE = r"[^\u0000-\u001f\u007f]"
_MULTILINE = r"[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]"


def text(
    label: str,
    max_length: int,
    *,
    min_length: int = 1,
    multiline: bool = False,
    required: bool = True,
    pattern: str | None = None,
) -> Any:
    """A trimmed text without control characters (newlines only if ``multiline``)."""
    allowed = _MULTILINE if multiline else _SINGLE_LINE
    check = partial(
        _text,
        label=label,
        required=required,
        max_length=max_length,
        min_length=min_length,
        multiline=multiline,
    )
    if required:
        regex = pattern or rf"^{allowed}*\S{allowed}*$"
        return checked(check, label, min_length=min_length, max_length=max_length, regex=regex)
    return checked(check, label, None, max_length=max_length, regex=pattern or rf"^{allowed}*$")


def _text(value: Any, name: str, **rule: Any) -> str | None:
    return validation.text(value, name, **rule)


def password(label: str, *, min_length: int = 1, description: str | None = None) -> Any:
    """A password exactly as typed; ``min_length`` is documentation of the portal's rule."""
    extra = {"description": description} if description else {}
    return checked(
        lambda value, name: validation.raw_password(value, name, label),
        label,
        json_schema={"type": "string", "minLength": min_length, "maxLength": 128, **extra},
    )


def choice(label: str, options: Any, default: Any = ...) -> Any:
    """One of ``options`` (a ``Literal``); the French message lists them."""
    values = get_args(options)
    return checked(
        lambda value, name: validation.choice(value, name, label, values), label, default
    )


def profile() -> Any:
    return choice("profil (affilie ou ayant_droit)", Profile)


def dossier_number(default: Any = ...) -> Any:
    """7 or 9 digits (``validation.dossier_number``, the one rule)."""
    return checked(
        validation.dossier_number, "numéro de dossier", default, json_schema=DOSSIER_SCHEMA
    )


def email() -> Any:
    """An e-mail address, checked by ``carpimko.text.email_address`` and lowercased."""
    return checked(
        validation.email,
        "adresse e-mail",
        json_schema={"type": "string", "format": "email", "maxLength": 254},
    )


def month(label: str, default: Any = ..., alias: str | None = None) -> Any:
    """A YYYY-MM month, read as its first day."""
    return checked(
        lambda value, name: validation.month(value, name, label),
        label,
        default,
        alias=alias,
        json_schema={"type": "string", "pattern": MONTH_PATTERN, "example": "2024-01"},
    )


def day(label: str) -> Any:
    return checked(
        lambda value, name: validation.day(value, name, label),
        label,
        json_schema={"type": "string", "format": "date"},
    )


def moment(label: str, default: Any = None) -> Any:
    """An ISO 8601 date-time (UTC when no offset is given)."""
    return checked(
        lambda value, name: None if value is None else validation.moment(value, name, label),
        label,
        default,
        json_schema={"type": "string", "format": "date-time", "pattern": r"^(19|2[01])\d\d-"},
    )


def flag(label: str) -> Any:
    return checked(
        lambda value, name: validation.boolean(value, name, label),
        label,
        json_schema={"type": "boolean"},
    )


re_hex_id = re.compile(HEX_ID_PATTERN)
