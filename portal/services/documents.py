"""Documents of the Espace Personnel and the attestations generated on request.

Tax certificates, slips and letters are rendered from the database when they
are downloaded; an attestation is rendered once, when it is asked for, and
kept as issued.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carpimko.iban import mask_iban
from portal.config import Settings
from portal.errors import NotFound, ValidationFailed
from portal.models import Document, Member, Payment
from portal.security import SessionClaims, issue_file_link
from portal.services import pdf
from portal.services.accounts import (
    BENEFIT_LABELS,
    INVALIDITY_DEATH_BENEFITS,
    current_member,
    payments_between,
)
from portal.services.outbox import postal_address
from portal.timeutil import iso, month_key, paris_today

DOCUMENT_KINDS = (
    "attestation_fiscale",
    "bordereau",
    "courrier",
    "attestation",
    "appel_cotisations",
    "echeancier",
)
ATTESTATION_TYPES = ("paiement_invalidite_deces", "versement_contributions")
ATTESTATION_TITLES = {
    "paiement_invalidite_deces": "Justificatif de paiement des prestations invalidité-décès",
    "versement_contributions": "Attestation de versement avec le détail des contributions sociales",
}


def document_row(
    settings: Settings, doc: Document, dossier_number: str, now: datetime
) -> dict[str, Any]:
    url, expires = issue_file_link(settings, doc.id, dossier_number, now)
    return {
        "document_id": doc.id,
        "kind": doc.kind,
        "title": doc.title,
        "year": doc.year,
        "period_start": doc.period_start,
        "period_end": doc.period_end,
        "created_at": iso(doc.created_at),
        "download_url": url,
        "expires_at": iso(expires),
    }


def list_documents(
    session: Session,
    settings: Settings,
    claims: SessionClaims,
    year: int | None,
    kind: str | None,
    now: datetime,
) -> list[dict[str, Any]]:
    member = current_member(session, claims)
    query = select(Document).where(Document.member_id == member.id)
    if year is not None:
        query = query.where(Document.year == year)
    if kind is not None:
        query = query.where(Document.kind == kind)
    query = query.order_by(
        Document.year.desc(), Document.period_start.desc(), Document.created_at.desc(), Document.id
    )
    return [
        document_row(settings, d, member.dossier_number, now)
        for d in session.execute(query).scalars()
    ]


def get_document(
    session: Session, settings: Settings, claims: SessionClaims, document_id: str, now: datetime
) -> dict[str, Any]:
    member = current_member(session, claims)
    doc = session.get(Document, document_id)
    if doc is None or doc.member_id != member.id:
        raise NotFound("Document introuvable.")
    return document_row(settings, doc, member.dossier_number, now)


def recipient(member: Member) -> pdf.Recipient:
    lines = postal_address(member).split("\n")
    return pdf.Recipient(
        name=lines[0],
        dossier_number=member.dossier_number,
        profile_label="affilié" if member.profile == "affilie" else "ayant droit",
        address_lines=lines[1:],
    )


def payment_line(payment: Payment) -> pdf.PaymentLine:
    return pdf.PaymentLine(
        period=payment.period,
        paid_on=payment.paid_on,
        benefit_label=BENEFIT_LABELS.get(payment.benefit, payment.benefit),
        gross_cents=payment.gross_cents,
        csg_deductible_cents=payment.csg_deductible_cents,
        csg_non_deductible_cents=payment.csg_non_deductible_cents,
        crds_cents=payment.crds_cents,
        casa_cents=payment.casa_cents,
        net_cents=payment.net_cents,
    )


def create_attestation(
    session: Session,
    settings: Settings,
    claims: SessionClaims,
    attestation_type: str,
    start: date,
    end: date,
    now: datetime,
) -> dict[str, Any]:
    """Render the attestation for the chosen months from the payments of that period."""
    member = current_member(session, claims)
    if start > end:
        raise ValidationFailed("Le début de la période doit précéder sa fin.", field="period_start")
    payments = payments_between(session, member, start, end)
    if attestation_type == "paiement_invalidite_deces":
        payments = [p for p in payments if p.benefit in INVALIDITY_DEATH_BENEFITS]
    if not payments:
        what = (
            "aucune prestation invalidité-décès"
            if attestation_type == "paiement_invalidite_deces"
            else "aucune prestation"
        )
        raise ValidationFailed(
            f"Nous n'avons versé {what} sur la période de {pdf.month_label(month_key(start))} à "
            f"{pdf.month_label(month_key(end))} : il n'y a pas d'attestation à établir.",
            code="aucun_paiement",
        )
    render = (
        pdf.payment_attestation
        if attestation_type == "paiement_invalidite_deces"
        else pdf.contributions_attestation
    )
    content = render(
        recipient(member),
        [payment_line(p) for p in payments],
        month_key(start),
        month_key(end),
        paris_today(now),
    )
    doc = Document(
        member_id=member.id,
        kind="attestation",
        title=f"{ATTESTATION_TITLES[attestation_type]} ({pdf.month_label(month_key(start))} – "
        f"{pdf.month_label(month_key(end))})",
        year=end.year,
        period_start=month_key(start),
        period_end=month_key(end),
        attestation_type=attestation_type,
        content=content,
        created_at=now,
    )
    session.add(doc)
    session.flush()
    row = document_row(settings, doc, member.dossier_number, now)
    row["payments_count"] = len(payments)
    row["total_gross_cents"] = sum(p.gross_cents for p in payments)
    row["total_net_cents"] = sum(p.net_cents for p in payments)
    return row


def load_file(session: Session, document_id: str, dossier_number: str) -> tuple[str, bytes]:
    """The PDF behind a signed link: (file name, bytes)."""
    doc = session.get(Document, document_id)
    member = session.get(Member, doc.member_id) if doc else None
    if doc is None or member is None or member.dossier_number != dossier_number:
        raise NotFound("Document introuvable.")
    issued = doc.created_at.date()
    if doc.content is not None:
        content = doc.content
    elif doc.kind == "bordereau":
        payments = [p for p in member.payments if p.period == doc.period_start]
        if not payments:
            raise NotFound("Document introuvable.")
        content = pdf.payment_slip(
            recipient(member), payment_line(payments[0]), mask_iban(member.iban), issued
        )
    elif doc.kind == "attestation_fiscale":
        lines = [payment_line(p) for p in member.payments if p.period.startswith(f"{doc.year}-")]
        content = pdf.tax_certificate(recipient(member), lines, doc.year, issued)
    else:
        content = pdf.letter(recipient(member), doc.title, doc.body or "", issued)
    return f"carpimko-{doc.kind}-{doc.year}-{doc.id[:8]}.pdf", content
