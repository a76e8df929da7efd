"""Demo data: the fixtures of the assistant contract, plus two useful extra cases.

| dossier   | who            | case                                                        |
| 1234567   | Jeanne Dupont  | affiliée with e-mail, active contributor                    |
| 2345678   | Marc Leroy     | no e-mail, never connected: resets go by post               |
| 7654321   | Sophie Bernard | invalidity pension paid monthly since January 2024          |
| 123456789 | Claire Petit   | ayant droit, survivor's pension (réversion) since June 2023 |
| 3456789   | Luc Martin     | e-mail is his accountant's (triggers the warning)           |
| 4567890   | Nadia Benali   | temporary password sent by post: first login pending       |

Accounts with a password use DEMO_PASSWORD; Nadia uses DEMO_TEMPORARY_PASSWORD.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Document, Member, Message, Payment
from portal.services.delivery import is_working_day
from portal.services.outbox import queue_letter
from portal.services.pdf import month_label
from portal.timeutil import PARIS, paris_today

LETTER_IN_HAND_AGE = timedelta(days=7)

DEMO_PASSWORD = "Carpimko2024"
DEMO_TEMPORARY_PASSWORD = "Provisoire24"
RATES = {"csg_deductible": "0.059", "csg_non_deductible": "0.024", "crds": "0.005", "casa": "0.003"}

MEMBERS: list[dict[str, Any]] = [
    dict(
        dossier_number="1234567",
        profile="affilie",
        civility="Mme",
        first_name="Jeanne",
        last_name="Dupont",
        profession="Masseur-kinésithérapeute",
        email="jeanne.dupont@example.fr",
        address_line1="12 rue des Lilas",
        postal_code="69003",
        city="LYON",
        iban="FR7630004008260001234567871",
        bic="BNPAFRPPXXX",
        password=True,
    ),
    dict(
        dossier_number="2345678",
        profile="affilie",
        civility="M.",
        first_name="Marc",
        last_name="Leroy",
        profession="Infirmier",
        email=None,
        address_line1="3 chemin du Moulin",
        postal_code="33800",
        city="BORDEAUX",
        iban="FR7620041010050500123456769",
        bic="PSSTFRPPBOR",
        password=False,
    ),
    dict(
        dossier_number="7654321",
        profile="affilie",
        civility="Mme",
        first_name="Sophie",
        last_name="Bernard",
        profession="Orthophoniste",
        email="sophie.bernard@example.fr",
        address_line1="45 avenue Jean Jaurès",
        address_line2="Bâtiment B",
        postal_code="31000",
        city="TOULOUSE",
        iban="FR7610278024500002012340156",
        bic="CMCIFR2A",
        password=True,
        benefit="rente_invalidite",
        benefit_since=date(2024, 1, 1),
        gross_by_year={2024: 125000, 2025: 127750, 2026: 128900},
    ),
    dict(
        dossier_number="123456789",
        profile="ayant_droit",
        civility="Mme",
        first_name="Claire",
        last_name="Petit",
        profession=None,
        email="claire.petit@example.fr",
        address_line1="8 rue Victor Hugo",
        postal_code="44000",
        city="NANTES",
        iban="FR7630003004200005020123404",
        bic="SOGEFRPP",
        password=True,
        benefit="pension_reversion",
        benefit_since=date(2023, 6, 1),
        gross_by_year={2023: 61240, 2024: 64000, 2025: 65408, 2026: 65997},
    ),
    dict(
        dossier_number="3456789",
        profile="affilie",
        civility="M.",
        first_name="Luc",
        last_name="Martin",
        profession="Pédicure-podologue",
        email="compta@cabinet-fiduciaire-martin.fr",
        address_line1="27 rue Nationale",
        postal_code="59000",
        city="LILLE",
        iban="FR7630002005500000015784164",
        bic="CRLYFRPP",
        password=True,
    ),
    dict(
        dossier_number="4567890",
        profile="affilie",
        civility="Mme",
        first_name="Nadia",
        last_name="Benali",
        profession="Orthoptiste",
        email=None,
        address_line1="102 boulevard Périer",
        postal_code="13008",
        city="MARSEILLE",
        iban="FR7611206000200001234560139",
        bic="AGRIFRPP812",
        password=False,
        temporary_password=True,
    ),
]


def _share(gross: int, rate: str) -> int:
    return int((Decimal(gross) * Decimal(rate)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def payment_amounts(gross: int) -> dict[str, int]:
    """Gross, each contribution and net, in cents."""
    parts = {f"{name}_cents": _share(gross, rate) for name, rate in RATES.items()}
    return {"gross_cents": gross, **parts, "net_cents": gross - sum(parts.values())}


def last_working_day(year: int, month: int) -> date:
    day = (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def _at(day: date, hour: int = 8) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=PARIS).astimezone(timezone.utc)


def _payments(member: Member, spec: dict[str, Any], today: date) -> list[Payment]:
    payments: list[Payment] = []
    year, month = spec["benefit_since"].year, spec["benefit_since"].month
    while True:
        paid_on = last_working_day(year, month)
        if paid_on > today:
            return payments
        gross = spec["gross_by_year"].get(year, max(spec["gross_by_year"].values()))
        payments.append(
            Payment(
                member=member,
                period=f"{year:04d}-{month:02d}",
                paid_on=paid_on,
                benefit=spec["benefit"],
                **payment_amounts(gross),
            )
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _documents(member: Member, payments: list[Payment], today: date) -> list[Document]:
    docs = [
        Document(
            member=member,
            kind="bordereau",
            year=int(p.period[:4]),
            title=f"Bordereau de paiement – {month_label(p.period)}",
            period_start=p.period,
            period_end=p.period,
            created_at=_at(p.paid_on),
        )
        for p in payments
    ]
    for year in sorted({int(p.period[:4]) for p in payments}):
        issued = date(year + 1, 2, 15)
        if issued <= today:
            docs.append(
                Document(
                    member=member,
                    kind="attestation_fiscale",
                    year=year,
                    title=f"Attestation fiscale {year}",
                    period_start=f"{year}-01",
                    period_end=f"{year}-12",
                    created_at=_at(issued),
                )
            )
    return docs


def _letters(member: Member, spec: dict[str, Any], today: date) -> list[Document]:
    letters = []
    if spec.get("benefit") == "rente_invalidite":
        letters.append(
            (
                "Notification d'attribution de votre rente d'invalidité",
                spec["benefit_since"],
                "Madame,\n\nNous avons le plaisir de vous informer qu'une rente "
                "d'invalidité vous est attribuée à compter du 1er janvier 2024. Elle est "
                "versée mensuellement, à terme échu.\n\nPour toute question, écrivez au "
                "service Invalidité-Décès depuis votre Espace Personnel.",
            )
        )
    if spec.get("benefit") == "pension_reversion":
        letters.append(
            (
                "Notification de votre pension de réversion",
                spec["benefit_since"],
                "Madame,\n\nNous avons le plaisir de vous informer qu'une pension de "
                "réversion vous est attribuée à compter du 1er juin 2023.",
            )
        )
    return [
        Document(
            member=member,
            kind="courrier",
            title=title,
            year=day.year,
            body=body,
            created_at=_at(day),
        )
        for title, day, body in letters
        if day <= today
    ]


def _contribution_documents(member: Member, spec: dict[str, Any], today: date) -> list[Document]:
    """A contributor's « appel de cotisations » and « échéancier » of this year and the last."""
    if spec["profile"] != "affilie" or spec.get("benefit"):
        return []
    made = {
        "appel_cotisations": ("Appel de cotisations {year}", "Vos cotisations {year}."),
        "echeancier": ("Échéancier {year}", "L'échéancier de vos cotisations {year}."),
    }
    return [
        Document(
            member=member,
            kind=kind,
            title=title.format(year=year),
            year=year,
            body=body.format(year=year),
            created_at=_at(date(year, 1, 15)),
        )
        for year in (today.year - 1, today.year)
        for kind, (title, body) in made.items()
    ]


def _messages(member: Member, spec: dict[str, Any]) -> list[Message]:
    if spec.get("benefit") != "rente_invalidite":
        return []
    sent = _at(date(2024, 3, 4), 10)
    return [
        Message(
            member=member,
            reference="MSG-20240304-A1B2C3",
            direction="entrant",
            service="invalidite_deces",
            subject="Prolongation d'arrêt de travail",
            body="Veuillez trouver ci-joint la prolongation de mon arrêt de travail.",
            status="traite",
            attachment_name="prolongation.pdf",
            attachment_type="application/pdf",
            attachment_size=0,
            attachment=b"",
            created_at=sent,
        ),
        Message(
            member=member,
            reference="MSG-20240306-D4E5F6",
            direction="sortant",
            service="invalidite_deces",
            subject="Re: Prolongation d'arrêt de travail",
            body="Madame, nous accusons réception de votre prolongation d'arrêt de travail. "
            "Elle a été prise en compte.",
            status="lu",
            created_at=sent + timedelta(days=2),
        ),
    ]


def seed(session: Session, hasher: PasswordHasher, now: datetime) -> bool:
    """Load the demo data into an empty database; returns False if members already exist."""
    if session.execute(select(func.count(Member.id))).scalar_one():
        return False
    today = paris_today(now)
    password_hash = hasher.hash(DEMO_PASSWORD)
    for spec in MEMBERS:
        member = Member(
            dossier_number=spec["dossier_number"],
            profile=spec["profile"],
            civility=spec["civility"],
            first_name=spec["first_name"],
            last_name=spec["last_name"],
            profession=spec["profession"],
            benefit=spec.get("benefit"),
            benefit_since=spec.get("benefit_since"),
            email=spec["email"],
            email_verified=bool(spec["email"]),
            address_line1=spec["address_line1"],
            address_line2=spec.get("address_line2"),
            postal_code=spec["postal_code"],
            city=spec["city"],
            country="FR",
            iban=spec["iban"],
            bic=spec["bic"],
            bank_holder=f"{spec['first_name']} {spec['last_name']}".upper(),
            password_hash=password_hash if spec["password"] else None,
            session_epoch=0,
            created_at=now,
        )
        session.add(member)
        if spec.get("benefit"):
            payments = _payments(member, spec, today)
            session.add_all(payments)
            session.add_all(_documents(member, payments, today))
        session.add_all(_letters(member, spec, today))
        session.add_all(_contribution_documents(member, spec, today))
        session.add_all(_messages(member, spec))
        if spec.get("temporary_password"):
            member.temp_password_hash = hasher.hash(DEMO_TEMPORARY_PASSWORD)
            member.temp_password_expires_at = now + timedelta(days=30)
            session.flush()
            queue_letter(
                session,
                member,
                "Votre mot de passe provisoire pour l'Espace Personnel",
                f"Numéro de dossier : {member.dossier_number}\nMot de passe provisoire : "
                f"{DEMO_TEMPORARY_PASSWORD}",
                # The letter in hand: posted a week ago, so it is not one of this hour's
                # letters under the hourly cap, and never held for review (no cap).
                now - LETTER_IN_HAND_AGE,
                None,
            )
    return True
