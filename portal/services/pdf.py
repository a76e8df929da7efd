"""PDF rendering of attestations, tax certificates, payment slips and letters (reportlab).

The renderers take plain values, not ORM objects, so that what a PDF says can
be checked against the payments it was built from.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from portal.services.contact import PHONE, POSTAL_ADDRESS, WEBSITE

MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


@dataclass(frozen=True)
class Recipient:
    name: str
    dossier_number: str
    profile_label: str
    address_lines: Sequence[str]


@dataclass(frozen=True)
class PaymentLine:
    period: str
    paid_on: date
    benefit_label: str
    gross_cents: int
    csg_deductible_cents: int
    csg_non_deductible_cents: int
    crds_cents: int
    casa_cents: int
    net_cents: int


def euros(cents: int) -> str:
    """French amount: `1 250,00 €` (plain spaces so the text extracts cleanly)."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole:,}".replace(",", " ") + f",{rest:02d} €"


def month_label(period: str) -> str:
    year, month = period.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("t", parent=base["Title"], fontSize=15, spaceAfter=6),
        "body": ParagraphStyle("b", parent=base["BodyText"], fontSize=10, leading=14),
        "small": ParagraphStyle(
            "s", parent=base["BodyText"], fontSize=8, leading=10, textColor=colors.grey
        ),
    }


def _render(
    title: str,
    recipient: Recipient,
    issued: date,
    paragraphs: Sequence[str],
    table: Sequence[Sequence[str]] | None = None,
    closing: Sequence[str] = (),
) -> bytes:
    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author="CARPIMKO",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        invariant=1,
    )
    fund = (
        f"{POSTAL_ADDRESS['name']} – {POSTAL_ADDRESS['line1']} – "
        f"{POSTAL_ADDRESS['postal_code']} {POSTAL_ADDRESS['city']}"
    )
    story = [
        Paragraph("<b>CARPIMKO</b> – La retraite des auxiliaires médicaux", styles["body"]),
        Paragraph(escape(fund), styles["small"]),
        Spacer(1, 8 * mm),
        Paragraph(
            "<br/>".join(escape(line) for line in [recipient.name, *recipient.address_lines]),
            styles["body"],
        ),
        Spacer(1, 4 * mm),
        Paragraph(
            escape(f"Numéro de dossier : {recipient.dossier_number} ({recipient.profile_label})"),
            styles["body"],
        ),
        Paragraph(escape(f"Date d'émission : {issued:%d/%m/%Y}"), styles["body"]),
        Spacer(1, 6 * mm),
        Paragraph(escape(title), styles["title"]),
    ]
    story += [Paragraph(escape(p).replace("\n", "<br/>"), styles["body"]) for p in paragraphs]
    if table:
        grid = Table([list(row) for row in table], repeatRows=1, hAlign="LEFT")
        grid.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
                    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
                    ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 8),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6f0")),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ]
            )
        )
        story += [Spacer(1, 4 * mm), grid, Spacer(1, 4 * mm)]
    story += [Paragraph(escape(p), styles["body"]) for p in closing]
    story += [
        Spacer(1, 8 * mm),
        Paragraph(
            escape(
                f"Document établi par la CARPIMKO – {WEBSITE} – {PHONE} "
                "(du lundi au vendredi de 8 h 45 à 12 h 45)"
            ),
            styles["small"],
        ),
    ]
    doc.build(story)
    return buffer.getvalue()


def payment_attestation(
    recipient: Recipient, lines: Sequence[PaymentLine], start: str, end: str, issued: date
) -> bytes:
    """Justificatif de paiement des prestations invalidité-décès."""
    rows = [["Mois", "Prestation", "Payé le", "Montant brut", "Montant net"]]
    rows += [
        [
            month_label(p.period),
            p.benefit_label,
            f"{p.paid_on:%d/%m/%Y}",
            euros(p.gross_cents),
            euros(p.net_cents),
        ]
        for p in lines
    ]
    rows.append(
        [
            "Total",
            "",
            "",
            euros(sum(p.gross_cents for p in lines)),
            euros(sum(p.net_cents for p in lines)),
        ]
    )
    return _render(
        "Justificatif de paiement des prestations invalidité-décès",
        recipient,
        issued,
        [
            f"La CARPIMKO atteste avoir versé à {recipient.name}, au titre du régime "
            f"invalidité-décès, les prestations suivantes pour la période de "
            f"{month_label(start)} à {month_label(end)} :"
        ],
        rows,
        ["Attestation délivrée pour servir et valoir ce que de droit."],
    )


def contributions_attestation(
    recipient: Recipient, lines: Sequence[PaymentLine], start: str, end: str, issued: date
) -> bytes:
    """Attestation de versement with the detail of the social contributions."""
    rows = [["Mois", "Brut", "CSG déductible", "CSG non déd.", "CRDS", "CASA", "Net versé"]]
    for p in lines:
        rows.append(
            [
                month_label(p.period),
                euros(p.gross_cents),
                euros(p.csg_deductible_cents),
                euros(p.csg_non_deductible_cents),
                euros(p.crds_cents),
                euros(p.casa_cents),
                euros(p.net_cents),
            ]
        )
    rows.append(
        ["Total"]
        + [
            euros(sum(getattr(p, f) for p in lines))
            for f in (
                "gross_cents",
                "csg_deductible_cents",
                "csg_non_deductible_cents",
                "crds_cents",
                "casa_cents",
                "net_cents",
            )
        ]
    )
    return _render(
        "Attestation de versement de vos prestations",
        recipient,
        issued,
        [
            f"La CARPIMKO atteste avoir versé à {recipient.name} les prestations ci-dessous "
            f"pour la période de {month_label(start)} à {month_label(end)}, avec le détail des "
            "contributions sociales prélevées (CSG, CRDS, CASA)."
        ],
        rows,
        ["Attestation délivrée pour servir et valoir ce que de droit."],
    )


def tax_certificate(
    recipient: Recipient, lines: Sequence[PaymentLine], year: int, issued: date
) -> bytes:
    """Attestation fiscale: the amount to declare for the year."""
    gross = sum(p.gross_cents for p in lines)
    deductible = sum(p.csg_deductible_cents for p in lines)
    rows = [
        ["Élément", "Montant"],
        ["Montant brut versé", euros(gross)],
        ["CSG déductible", euros(deductible)],
        ["CSG non déductible", euros(sum(p.csg_non_deductible_cents for p in lines))],
        ["CRDS", euros(sum(p.crds_cents for p in lines))],
        ["CASA", euros(sum(p.casa_cents for p in lines))],
        ["Montant net versé", euros(sum(p.net_cents for p in lines))],
        ["Montant imposable à déclarer", euros(gross - deductible)],
    ]
    return _render(
        f"Attestation fiscale {year}",
        recipient,
        issued,
        [
            f"Montants versés par la CARPIMKO du 1er janvier au 31 décembre {year} "
            f"({len(lines)} versement{'s' if len(lines) > 1 else ''}). Le montant imposable est à "
            "reporter sur votre déclaration de revenus (pensions, retraites, rentes)."
        ],
        rows,
    )


def payment_slip(recipient: Recipient, line: PaymentLine, masked_iban: str, issued: date) -> bytes:
    """Bordereau de paiement of one month."""
    rows = [
        ["Élément", "Montant"],
        ["Montant brut", euros(line.gross_cents)],
        ["CSG déductible", euros(-line.csg_deductible_cents)],
        ["CSG non déductible", euros(-line.csg_non_deductible_cents)],
        ["CRDS", euros(-line.crds_cents)],
        ["CASA", euros(-line.casa_cents)],
        ["Net versé", euros(line.net_cents)],
    ]
    return _render(
        f"Bordereau de paiement – {month_label(line.period)}",
        recipient,
        issued,
        [
            f"{line.benefit_label} – mois de {month_label(line.period)}, payé le "
            f"{line.paid_on:%d/%m/%Y} sur le compte {masked_iban}."
        ],
        rows,
    )


def letter(recipient: Recipient, title: str, body: str, issued: date) -> bytes:
    return _render(title, recipient, issued, body.split("\n\n"))
