"""Attestations on request and the member's documents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, get_args

from pydantic import Field

from portal.contract import fields
from portal.contract.base import Answer, Request, checked
from portal.errors import ValidationFailed

AttestationType = Literal["paiement_invalidite_deces", "versement_contributions"]
DocumentKind = Literal[
    "attestation_fiscale", "bordereau", "courrier", "attestation", "appel_cotisations", "echeancier"
]


def _year(value: Any, name: str) -> int:
    if not (isinstance(value, str) and value.isascii() and value.isdigit() and len(value) == 4):
        raise ValidationFailed(
            "L'année doit comporter quatre chiffres (exemple : 2024).", field=name
        )
    return int(value)


def _kind(value: Any, name: str) -> str:
    kinds = get_args(DocumentKind)
    if value not in kinds:
        raise ValidationFailed(
            "Le type de document doit être l'un de : " + ", ".join(kinds) + ".", field=name
        )
    return str(value)


class AttestationRequest(Request):
    type: AttestationType = fields.choice("type d'attestation", AttestationType)
    period_start: date = fields.month("début de période")
    period_end: date = fields.month("fin de période")


class DocumentsQuery(Request):
    year: int | None = checked(
        _year, "année", None, json_schema={"type": "string", "pattern": r"^\d{4}$"}
    )
    kind: DocumentKind | None = checked(_kind, "type de document", None)


class Document(Answer):
    document_id: str
    title: str
    year: int
    kind: DocumentKind
    period_start: str | None = Field(..., regex=fields.MONTH_PATTERN)
    period_end: str | None = Field(..., regex=fields.MONTH_PATTERN)
    created_at: datetime
    download_url: str = Field(..., format="uri")
    expires_at: datetime


class Attestation(Document):
    payments_count: int
    total_gross_cents: int
    total_net_cents: int


class Documents(Answer):
    documents: list[Document]
    count: int = Field(..., ge=0)
