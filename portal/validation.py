"""The field rules of the portal's requests, with French messages.

Each message is what a user of the Espace Personnel would read, and the field is named in
the error. The contract models (``portal.contract``) call these rules from their fields; a
handler never calls them on a body itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date, datetime, timezone
from typing import Any

from carpimko.text.email_address import is_valid_email
from carpimko.text.normalize import DOSSIER_LENGTHS
from portal.errors import BadRequest, NotFound, ValidationFailed

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def json_object(raw: bytes | None) -> dict[str, Any]:
    """Decode a JSON object body or refuse it."""
    if not raw:
        raise BadRequest("Le corps de la requête est vide : un objet JSON est attendu.")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # 5 000 × « [ »: recursion
        raise BadRequest("Le corps de la requête n'est pas un JSON valide.") from exc
    if not isinstance(body, dict):
        raise BadRequest("Le corps de la requête doit être un objet JSON.")
    return body


def text(
    value: Any,
    name: str,
    label: str,
    *,
    required: bool = True,
    max_length: int = 200,
    min_length: int = 1,
    multiline: bool = False,
) -> str | None:
    """A trimmed string field; control characters are refused."""
    if value is None or (isinstance(value, str) and value.strip() == "" and not required):
        if required:
            raise ValidationFailed(f"Le champ « {label} » est obligatoire.", field=name)
        return None
    if not isinstance(value, str):
        raise ValidationFailed(f"Le champ « {label} » doit être un texte.", field=name)
    value = value.strip()
    allowed = value.replace("\n", "").replace("\r", "").replace("\t", "") if multiline else value
    if _CONTROL.search(allowed) or (not multiline and ("\n" in value or "\r" in value)):
        raise ValidationFailed(
            f"Le champ « {label} » contient des caractères non autorisés.", field=name
        )
    if len(value) < min_length:
        if min_length == 1:
            raise ValidationFailed(f"Le champ « {label} » est obligatoire.", field=name)
        raise ValidationFailed(
            f"Le champ « {label} » doit comporter au moins {min_length} caractères.", field=name
        )
    if len(value) > max_length:
        raise ValidationFailed(
            f"Le champ « {label} » ne doit pas dépasser {max_length} caractères.", field=name
        )
    return value


def raw_password(value: Any, name: str, label: str) -> str:
    """A password exactly as typed (no trimming), bounded in length."""
    if not isinstance(value, str) or value == "":
        raise ValidationFailed(f"Le champ « {label} » est obligatoire.", field=name)
    if len(value) > 128:
        raise ValidationFailed(
            f"Le champ « {label} » ne doit pas dépasser 128 caractères.", field=name
        )
    return value


def choice(value: Any, name: str, label: str, options: Sequence[str]) -> str:
    if value is None or value == "":
        raise ValidationFailed(f"Le champ « {label} » est obligatoire.", field=name)
    if not isinstance(value, str) or value not in options:
        listed = ", ".join(options)
        raise ValidationFailed(
            f"Le champ « {label} » doit valoir l'une des valeurs suivantes : {listed}.", field=name
        )
    return value


def dossier_number(value: Any, name: str = "dossier_number") -> str:
    """Seven or nine digits. Either length may belong to either profile (the fund's guides say
    7 for everyone, one article 9 for survivors and annuities): the dossier lookup decides, so
    nobody is told that their own number has the wrong length for their situation."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or value.strip() == "":
        raise ValidationFailed("Le champ « numéro de dossier » est obligatoire.", field=name)
    value = value.strip()
    if not value.isascii() or not value.isdigit():
        raise ValidationFailed(
            "Le numéro de dossier ne contient que des chiffres, sans espace ni point.",
            field=name,
        )
    if len(value) not in DOSSIER_LENGTHS:
        raise ValidationFailed("Le numéro de dossier comporte 7 ou 9 chiffres.", field=name)
    return value


def email(value: Any, name: str = "email") -> str:
    if not isinstance(value, str) or value.strip() == "":
        raise ValidationFailed("Le champ « adresse e-mail » est obligatoire.", field=name)
    value = value.strip().lower()
    if not is_valid_email(value):
        raise ValidationFailed(
            "L'adresse e-mail n'est pas valide (exemple : prenom.nom@exemple.fr).", field=name
        )
    return value


def month(value: Any, name: str, label: str) -> date:
    """A YYYY-MM month, returned as its first day."""
    if not isinstance(value, str) or not _MONTH.match(value.strip()):
        raise ValidationFailed(
            f"Le champ « {label} » doit être un mois au format AAAA-MM (exemple : 2024-01).",
            field=name,
        )
    year_text, month_text = value.strip().split("-")
    year, month_number = int(year_text), int(month_text)
    if not 1 <= month_number <= 12 or not 1900 <= year <= 2200:
        raise ValidationFailed(f"Le champ « {label} » n'est pas un mois valide.", field=name)
    return date(year, month_number, 1)


def day(value: Any, name: str, label: str) -> date:
    if not isinstance(value, str):
        raise ValidationFailed(
            f"Le champ « {label} » doit être une date au format AAAA-MM-JJ.", field=name
        )
    try:
        parsed = date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValidationFailed(
            f"Le champ « {label} » doit être une date valide au format AAAA-MM-JJ.", field=name
        ) from exc
    if not 1900 <= parsed.year <= 2200:
        raise ValidationFailed(f"Le champ « {label} » n'est pas une date plausible.", field=name)
    return parsed


def moment(value: Any, name: str, label: str) -> datetime:
    """An ISO 8601 date-time; without offset it is read as UTC."""
    if not isinstance(value, str):
        raise ValidationFailed(
            f"Le champ « {label} » doit être une date et heure ISO 8601.", field=name
        )
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValidationFailed(
            f"Le champ « {label} » doit être une date et heure ISO 8601 "
            "(exemple : 2025-03-10T09:30:00+01:00).",
            field=name,
        ) from exc
    if not 1900 <= parsed.year <= 2200:
        raise ValidationFailed(f"Le champ « {label} » n'est pas une date plausible.", field=name)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def boolean(value: Any, name: str, label: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationFailed(f"Le champ « {label} » doit valoir true ou false.", field=name)
    return value


def identifier(value: str, pattern: str = r"^[0-9a-f]{32}$") -> str:
    """An opaque id in a path; anything else is simply not found."""
    if not re.match(pattern, value):
        raise NotFound("Cette ressource est introuvable.")
    return value


def positive_int(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or len(value) > 10 or not 0 < int(value) < 2**31:
        raise NotFound("Cette ressource est introuvable.")
    return int(value)
