"""Outgoing e-mails and letters.

Everything goes to the `outbox` table inside the request's transaction, so a
refused request sends nothing. A background task then delivers e-mails by SMTP
when it is configured; letters wait there to be printed. In demo mode the demo
mailbox page shows both.

Letters cost postage and a temporary password by post needs only a dossier number: past
``PORTAL_LETTERS_PER_HOUR`` letters queued for printing in the last hour (everybody
together, counted in SQL so that several portals share it), a new letter waits for a
person (status ``a_verifier``) who releases or cancels it from the support console
(:mod:`portal.services.letters`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import smtplib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from carpimko.ops import metrics
from portal.config import Settings
from portal.db import run_db
from portal.models import Member, OutboxMessage
from portal.services.delivery import expected_letter_delivery
from portal.timeutil import Clock, iso

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
TO_PRINT = "a_imprimer"
TO_REVIEW = "a_verifier"
CANCELLED = "annule"
LETTER = "courrier"
QUEUE_LABELS = {TO_PRINT: "impression", TO_REVIEW: "verification"}
"""The letters counter's ``queue`` label: straight to print, or held for a person."""
LETTERS_LOCK_KEY = 0x4C455454  # « LETT »: the advisory lock of the letters' hourly cap
SIGNATURE = (
    "\n\nCordialement,\nLa CARPIMKO\n\n"
    "Ce message est envoyé automatiquement, merci de ne pas y répondre."
)


def postal_address(member: Member) -> str:
    lines = [f"{member.civility} {member.first_name} {member.last_name}", member.address_line1]
    if member.address_line2:
        lines.append(member.address_line2)
    lines.append(f"{member.postal_code} {member.city}")
    if member.country != "FR":
        lines.append(member.country)
    return "\n".join(lines)


def queue_email(
    session: Session,
    member: Member | None,
    recipient: str,
    subject: str,
    body: str,
    now: datetime,
    link: str | None = None,
) -> OutboxMessage:
    message = OutboxMessage(
        member_id=member.id if member else None,
        kind="email",
        recipient=recipient,
        subject=subject,
        body=body + SIGNATURE,
        link=link,
        status="en_attente",
        attempts=0,
        created_at=now,
    )
    session.add(message)
    return message


@dataclass(frozen=True)
class QueuedLetter:
    """A letter in the outbox: to print (with its expected delivery) or held for a person."""

    status: str
    expected_delivery_date: date | None

    @property
    def held(self) -> bool:
        return self.status == TO_REVIEW


def letters_printed_last_hour(session: Session, now: datetime) -> int:
    """Letters that went to the print queue in the hour before `now`, all members together."""
    count = session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.kind == LETTER,
            OutboxMessage.created_at > now - timedelta(hours=1),
            OutboxMessage.status.notin_((TO_REVIEW, CANCELLED)),
        )
    )
    return int(count or 0)


def _serialise_letters(session: Session) -> None:
    """PostgreSQL: one transaction at a time counts and adds letters, whatever the portal
    instance (the lock goes at commit). SQLite's writers are already serialised (BEGIN
    IMMEDIATE, :mod:`portal.db`)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LETTERS_LOCK_KEY})


def queue_letter(
    session: Session,
    member: Member,
    subject: str,
    body: str,
    now: datetime,
    per_hour: int | None,
) -> QueuedLetter:
    """Queue a letter to the member's postal address, or hold it for a person when
    `per_hour` letters already went to print in the last hour (None: no cap, the demo seed)."""
    if per_hour is not None:
        _serialise_letters(session)
    held = per_hour is not None and letters_printed_last_hour(session, now) >= per_hour
    expected = None if held else expected_letter_delivery(now)
    status = TO_REVIEW if held else TO_PRINT
    session.add(
        OutboxMessage(
            member_id=member.id,
            kind=LETTER,
            recipient=postal_address(member),
            subject=subject,
            body=body + "\n\nCordialement,\nLa CARPIMKO",
            expected_delivery_date=expected,
            status=status,
            attempts=0,
            created_at=now,
        )
    )
    metrics.LETTERS_QUEUED.labels(QUEUE_LABELS[status]).inc()
    if held:
        log.warning("letter held for review: %d letters printed in the last hour", per_hour)
    return QueuedLetter(status, expected)


@dataclass(frozen=True)
class Notice:
    """How a member was told: ``email`` or ``courrier``, and the letter's status if any."""

    channel: str
    letter_status: str | None = None


def notify(
    session: Session, member: Member, subject: str, body: str, now: datetime, per_hour: int
) -> Notice:
    """Tell the member by verified e-mail if there is one, else by post."""
    if member.email and member.email_verified:
        queue_email(session, member, member.email, subject, body, now)
        return Notice("email")
    letter = queue_letter(session, member, subject, body, now, per_hour)
    return Notice(LETTER, letter.status)


def outbox_row(message: OutboxMessage, dossier_number: str | None) -> dict[str, Any]:
    expected = message.expected_delivery_date
    return {
        "id": message.id,
        "dossier_number": dossier_number,
        "kind": message.kind,
        "recipient": message.recipient,
        "subject": message.subject,
        "body": message.body,
        "link": message.link,
        "status": message.status,
        "expected_delivery_date": expected.isoformat() if expected else None,
        "created_at": iso(message.created_at),
    }


def list_outbox(session: Session, dossier_number: str | None, limit: int) -> list[dict[str, Any]]:
    """What left (or is queued to leave): never a letter held for a person or cancelled."""
    query = (
        select(OutboxMessage, Member.dossier_number)
        .outerjoin(Member, Member.id == OutboxMessage.member_id)
        .where(OutboxMessage.status.notin_((TO_REVIEW, CANCELLED)))
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    if dossier_number:
        query = query.where(Member.dossier_number == dossier_number)
    return [outbox_row(message, number) for message, number in session.execute(query)]


class Mailer:
    """Delivers queued e-mails over SMTP, in the background, off the event loop."""

    def __init__(
        self, settings: Settings, engine: Engine, executor: ThreadPoolExecutor, clock: Clock
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.executor = executor
        self.clock = clock
        self._wakeup = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._wakeup.set()

    async def run(self) -> None:
        while not self._stopping:
            try:
                await self.deliver_pending()
            except Exception:
                log.exception("outbox delivery failed")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=5)
            self._wakeup.clear()

    def stop(self) -> None:
        self._stopping = True
        self._wakeup.set()

    async def deliver_pending(self) -> int:
        pending = await run_db(self.engine, self.executor, _pending_emails, write=False)
        for message_id, recipient, subject, body in pending:
            error = await asyncio.get_running_loop().run_in_executor(
                self.executor, self._send, recipient, subject, body
            )
            await run_db(
                self.engine, self.executor, _record_attempt, message_id, error, self.clock()
            )
        return len(pending)

    def _send(self, recipient: str, subject: str, body: str) -> str | None:
        settings = self.settings
        email = EmailMessage()
        email["From"] = settings.smtp_sender
        email["To"] = recipient
        email["Subject"] = subject
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = make_msgid(domain="carpimko.com")
        email.set_content(body)
        try:
            with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
                if settings.smtp_starttls:
                    smtp.starttls()
                if settings.smtp_user:
                    smtp.login(settings.smtp_user, settings.smtp_password)
                smtp.send_message(email)
        except (OSError, smtplib.SMTPException) as exc:
            return f"{type(exc).__name__}: {exc}"[:300]
        return None


def _pending_emails(session: Session) -> list[tuple[int, str, str, str]]:
    rows = session.execute(
        select(OutboxMessage.id, OutboxMessage.recipient, OutboxMessage.subject, OutboxMessage.body)
        .where(OutboxMessage.kind == "email", OutboxMessage.status == "en_attente")
        .order_by(OutboxMessage.id)
        .limit(50)
    )
    return [(row[0], row[1], row[2], row[3]) for row in rows]


def _record_attempt(session: Session, message_id: int, error: str | None, now: datetime) -> None:
    message = session.get(OutboxMessage, message_id)
    message.attempts += 1
    if error is None:
        message.status, message.sent_at, message.last_error = "envoye", now, None
    else:
        message.last_error = error
        message.status = "echec" if message.attempts >= MAX_ATTEMPTS else "en_attente"
