"""Database schema (SQLAlchemy 1.4 declarative), mirrored by the Alembic migrations.

Money is stored in integer cents; instants in naive UTC columns read back as
aware datetimes so that SQLite and PostgreSQL behave alike.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, deferred, relationship
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, naive UTC in the column, aware UTC out."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: use an aware UTC datetime")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)


def new_id() -> str:
    return uuid.uuid4().hex


Base: Any = declarative_base()


class Member(Base):
    """An affilié (7-digit dossier) or an ayant droit (9-digit dossier)."""

    __tablename__ = "members"

    id = Column(Integer, primary_key=True)
    dossier_number = Column(String(9), nullable=False, unique=True)
    profile = Column(String(12), nullable=False)
    civility = Column(String(8), nullable=False)
    first_name = Column(String(80), nullable=False)
    last_name = Column(String(80), nullable=False)
    profession = Column(String(80))
    benefit = Column(String(32))
    benefit_since = Column(Date)
    email = Column(String(254))
    email_verified = Column(Boolean, nullable=False, default=False)
    address_line1 = Column(String(120), nullable=False)
    address_line2 = Column(String(120))
    postal_code = Column(String(16), nullable=False)
    city = Column(String(80), nullable=False)
    country = Column(String(2), nullable=False, default="FR")
    iban = Column(String(34), nullable=False)
    bic = Column(String(11), nullable=False)
    bank_holder = Column(String(70), nullable=False)
    password_hash = Column(String(255))
    temp_password_hash = Column(String(255))
    temp_password_expires_at = Column(UTCDateTime)
    session_epoch = Column(Integer, nullable=False, default=0)
    terms_accepted_at = Column(UTCDateTime)
    created_at = Column(UTCDateTime, nullable=False)

    payments = relationship("Payment", back_populates="member", order_by="Payment.period")


class Payment(Base):
    """One monthly benefit payment with its social contributions."""

    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("member_id", "period", "benefit"),)

    id = Column(Integer, primary_key=True)
    member_id = Column(Integer, ForeignKey("members.id"), nullable=False, index=True)
    period = Column(String(7), nullable=False, index=True)
    paid_on = Column(Date, nullable=False)
    benefit = Column(String(32), nullable=False)
    gross_cents = Column(Integer, nullable=False)
    csg_deductible_cents = Column(Integer, nullable=False)
    csg_non_deductible_cents = Column(Integer, nullable=False)
    crds_cents = Column(Integer, nullable=False)
    casa_cents = Column(Integer, nullable=False)
    net_cents = Column(Integer, nullable=False)

    member = relationship("Member", back_populates="payments")


class Document(Base):
    """A document of the Espace Personnel: tax certificate, slip, letter or attestation."""

    __tablename__ = "documents"

    id = Column(String(32), primary_key=True, default=new_id)
    member_id = Column(Integer, ForeignKey("members.id"), nullable=False, index=True)
    kind = Column(String(32), nullable=False)
    title = Column(String(200), nullable=False)
    year = Column(Integer, nullable=False)
    period_start = Column(String(7))
    period_end = Column(String(7))
    attestation_type = Column(String(40))
    body = Column(Text)
    content = deferred(Column(LargeBinary))
    created_at = Column(UTCDateTime, nullable=False)

    member = relationship("Member")


class Message(Base):
    """An exchange with one of the fund's services through the secure messaging."""

    __tablename__ = "messages"

    id = Column(String(32), primary_key=True, default=new_id)
    member_id = Column(Integer, ForeignKey("members.id"), nullable=False, index=True)
    reference = Column(String(24), nullable=False, unique=True)
    direction = Column(String(8), nullable=False)
    service = Column(String(32), nullable=False)
    subject = Column(String(200), nullable=False)
    body = Column(Text, nullable=False)
    status = Column(String(16), nullable=False)
    attachment_name = Column(String(120))
    attachment_type = Column(String(40))
    attachment_size = Column(Integer)
    attachment = deferred(Column(LargeBinary))
    created_at = Column(UTCDateTime, nullable=False)

    member = relationship("Member")


class PendingUpload(Base):
    """A file the member's browser sent before the message that uses it (chat widget).

    The file never travels through the assistant: the widget uploads it here and gives the
    assistant only its opaque id. It is used once, by its owner, before ``expires_at``.
    """

    __tablename__ = "pending_uploads"

    id = Column(String(32), primary_key=True, default=new_id)
    member_id = Column(Integer, ForeignKey("members.id"), nullable=False, index=True)
    name = Column(String(120), nullable=False)
    content_type = Column(String(40), nullable=False)
    size = Column(Integer, nullable=False)
    data = deferred(Column(LargeBinary, nullable=False))
    created_at = Column(UTCDateTime, nullable=False)
    expires_at = Column(UTCDateTime, nullable=False)
    used_at = Column(UTCDateTime)


class PasswordReset(Base):
    """A reset or first-login request; the e-mail token is stored only as a hash."""

    __tablename__ = "password_resets"

    id = Column(String(32), primary_key=True, default=new_id)
    member_id = Column(Integer, ForeignKey("members.id"), nullable=False, index=True)
    created_at = Column(UTCDateTime, nullable=False)
    choice_expires_at = Column(UTCDateTime, nullable=False)
    channel = Column(String(8))
    delivered_at = Column(UTCDateTime)
    token_hash = Column(String(64), unique=True)
    token_expires_at = Column(UTCDateTime)
    used_at = Column(UTCDateTime)
    revoked_at = Column(UTCDateTime)


class EmailVerification(Base):
    """A pending e-mail address waiting for its owner to click the link."""

    __tablename__ = "email_verifications"

    id = Column(String(32), primary_key=True, default=new_id)
    member_id = Column(Integer, ForeignKey("members.id"), nullable=False, index=True)
    email = Column(String(254), nullable=False)
    token_hash = Column(String(64), nullable=False, unique=True)
    purpose = Column(String(24), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    expires_at = Column(UTCDateTime, nullable=False)
    verified_at = Column(UTCDateTime)
    revoked_at = Column(UTCDateTime)


class RibChange(Base):
    """New bank details, applied only once the confirmation code comes back."""

    __tablename__ = "rib_changes"

    id = Column(String(32), primary_key=True, default=new_id)
    member_id = Column(Integer, ForeignKey("members.id"), nullable=False, index=True)
    iban = Column(String(34), nullable=False)
    bic = Column(String(11), nullable=False)
    holder_name = Column(String(70), nullable=False)
    code_hash = Column(String(64), nullable=False)
    channel = Column(String(8), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    expires_at = Column(UTCDateTime, nullable=False)
    confirmed_at = Column(UTCDateTime)
    revoked_at = Column(UTCDateTime)


class Procedure(Base):
    """A démarche filed online (address, RIB, majoration, return to work...)."""

    __tablename__ = "procedures"

    id = Column(String(32), primary_key=True, default=new_id)
    member_id = Column(Integer, ForeignKey("members.id"), nullable=False, index=True)
    kind = Column(String(40), nullable=False)
    reference = Column(String(24), nullable=False, unique=True)
    service = Column(String(32), nullable=False)
    status = Column(String(16), nullable=False)
    payload = Column(JSON, nullable=False)
    created_at = Column(UTCDateTime, nullable=False)


class Ticket(Base):
    """A handoff to an advisor or a callback request, tied to a conversation."""

    __tablename__ = "tickets"

    id = Column(Integer, primary_key=True)
    kind = Column(String(12), nullable=False)
    reference = Column(String(24), unique=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    channel = Column(String(16))
    summary = Column(Text)
    dossier_number = Column(String(9))
    phone = Column(String(20))
    preferred_slot = Column(UTCDateTime)
    status = Column(String(12), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    closed_at = Column(UTCDateTime)


class OutboxMessage(Base):
    """An e-mail or a letter waiting to be sent (SMTP) or printed.

    A letter is ``a_imprimer`` (to print), ``a_verifier`` (over the hourly cap, held for a
    person in the support console) or ``annule`` (cancelled there, its text erased).
    """

    __tablename__ = "outbox"
    # The hourly cap counts the letters of the last hour (portal/services/outbox.py).
    __table_args__ = (Index("ix_outbox_kind_created_at", "kind", "created_at"),)

    id = Column(Integer, primary_key=True)
    member_id = Column(Integer, ForeignKey("members.id"), index=True)
    kind = Column(String(8), nullable=False)
    recipient = Column(Text, nullable=False)
    subject = Column(String(200), nullable=False)
    body = Column(Text, nullable=False)
    link = Column(Text)
    expected_delivery_date = Column(Date)
    status = Column(String(12), nullable=False, index=True)
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(String(300))
    created_at = Column(UTCDateTime, nullable=False)
    sent_at = Column(UTCDateTime)
