"""Read (and, for the retention purge only, delete) conversations in Rasa's SQL tracker store.

The console opens the store read-only: a SQLite file in ``mode=ro``, a PostgreSQL session
with ``default_transaction_read_only``. Only ``carpimko transcripts purge`` opens it for
writing. The table is Rasa's ``events`` (``SQLTrackerStore.SQLEvent``), declared here again
so that neither the console nor the CLI has to import Rasa.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from carpimko.text.normalize import find_dossier_numbers
from console.conversations import (
    CHANNELS,
    HANDOFF_ACTIONS,
    OUTCOMES,
    Summary,
    parse_events,
    summarize,
)

metadata = sa.MetaData()
events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)
CHANNEL_INPUTS = {public: raw for raw, public in CHANNELS.items()}
SUMMARY_CHUNK = 500


def open_engine(url: str, *, read_only: bool = True) -> Engine:
    """An engine on the tracker store; read-only unless asked (purge)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if read_only and path and path != ":memory:":
            return sa.create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
        return sa.create_engine(url)
    if parsed.get_backend_name() == "postgresql" and read_only:
        return sa.create_engine(
            url,
            pool_pre_ping=True,
            connect_args={"options": "-c default_transaction_read_only=on"},
        )
    return sa.create_engine(url, pool_pre_ping=True)


def store_ready(engine: Engine) -> bool:
    """Whether Rasa has created its table yet (a fresh machine has no conversation)."""
    try:
        return sa.inspect(engine).has_table("events")
    except sa.exc.OperationalError:  # SQLite file not created yet
        return False


def day_start(day: date) -> float:
    return datetime.combine(day, time.min, tzinfo=timezone.utc).timestamp()


def dossier_digits(text: str) -> str:
    return re.sub(r"\D", "", text)


@dataclass
class Filters:
    """What staff can narrow the list (and the export) to. Dates are UTC days, inclusive."""

    since: date | None = None
    until: date | None = None
    channel: str | None = None  # web, ivr, rest
    intent: str | None = None
    outcome: str | None = None  # one of OUTCOMES
    handoff: bool | None = None
    dossier: str | None = None  # digits searched in the stored events
    sender: str | None = None  # part of a conversation id

    def validate(self) -> list[str]:
        """French messages for filters that cannot be applied (shown above the list)."""
        errors = []
        if self.channel and self.channel not in CHANNEL_INPUTS:
            errors.append("Canal inconnu : choisissez web, ivr ou rest.")
        if self.outcome and self.outcome not in OUTCOMES:
            errors.append("Issue inconnue.")
        if self.dossier and len(dossier_digits(self.dossier)) < 3:
            errors.append("Saisissez au moins 3 chiffres du numéro de dossier.")
        if self.since and self.until and self.since > self.until:
            errors.append("La date de début est après la date de fin.")
        return errors

    def describe(self) -> dict[str, Any]:
        """For the audit log: which filters were used (the dossier number itself is masked)."""
        described = {k: str(v) for k, v in vars(self).items() if v not in (None, "")}
        if "dossier" in described:
            digits = dossier_digits(described["dossier"])
            described["dossier"] = "*" * max(len(digits) - 2, 0) + digits[-2:]
        return described


def _senders_query(filters: Filters) -> sa.sql.Select:
    """sender_id, start and last activity of the conversations matching the SQL filters."""
    started = sa.func.min(events.c.timestamp).label("started_at")
    last = sa.func.max(events.c.timestamp).label("last_activity")
    query = sa.select(events.c.sender_id, started, last).group_by(events.c.sender_id)
    if filters.since:
        query = query.having(sa.func.max(events.c.timestamp) >= day_start(filters.since))
    if filters.until:
        end = day_start(filters.until + timedelta(days=1))
        query = query.having(sa.func.min(events.c.timestamp) < end)

    def having_event(*conditions: Any) -> sa.sql.Select:
        return sa.select(events.c.sender_id).where(*conditions)

    if filters.intent:
        query = query.where(
            events.c.sender_id.in_(
                having_event(events.c.type_name == "user", events.c.intent_name == filters.intent)
            )
        )
    if filters.channel in CHANNEL_INPUTS:
        pattern = f'%"input_channel": "{CHANNEL_INPUTS[filters.channel]}"%'
        query = query.where(
            events.c.sender_id.in_(
                having_event(events.c.type_name == "user", events.c.data.like(pattern))
            )
        )
    if filters.handoff is not None:
        handoffs = having_event(
            events.c.type_name == "action", events.c.action_name.in_(sorted(HANDOFF_ACTIONS))
        )
        condition = events.c.sender_id.in_(handoffs)
        query = query.where(condition if filters.handoff else sa.not_(condition))
    if filters.dossier:
        # Pre-selection only: « 12 34 567 » typed with spaces must match too, so the digits
        # may be apart here; mentions_dossier() then checks each candidate exactly.
        spread = "%" + "%".join(dossier_digits(filters.dossier)) + "%"
        query = query.where(
            events.c.sender_id.in_(
                having_event(events.c.type_name.in_(("user", "slot")), events.c.data.like(spread))
            )
        )
    if filters.sender:
        escaped = filters.sender.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(events.c.sender_id.like(f"%{escaped}%", escape="\\"))
    return query


def mentions_dossier(events: list[dict[str, Any]], digits: str) -> bool:
    """Whether the user gave this numéro de dossier (typed, spaced or dictated), as text, as
    an extracted entity or as a slot value — not as a piece of an IBAN or a phone number."""
    for event in events:
        kind = event.get("event")
        value = str(event.get("value") or "")
        if kind == "slot" and event.get("name") == "dossier_number" and digits in value:
            return True
        if kind != "user":
            continue
        for entity in (event.get("parse_data") or {}).get("entities") or []:
            is_dossier = isinstance(entity, dict) and entity.get("entity") == "dossier_number"
            if is_dossier and digits in dossier_digits(str(entity.get("value") or "")):
                return True
        text = str(event.get("text") or "")
        if any(digits in found.value for found in find_dossier_numbers(text)):
            return True
    return False


def load_events(engine: Engine, sender_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Events of these conversations, in the order Rasa stored them."""
    found: dict[str, list[str]] = {sender: [] for sender in sender_ids}
    if not sender_ids:
        return {}
    query = (
        sa.select(events.c.sender_id, events.c.data)
        .where(events.c.sender_id.in_(sender_ids))
        .order_by(events.c.sender_id, events.c.id)
    )
    with engine.connect() as connection:
        for sender, data in connection.execute(query):
            found[sender].append(data)
    return {sender: parse_events(rows) for sender, rows in found.items()}


@dataclass
class Page:
    """One page of the conversation list."""

    items: list[Summary] = field(default_factory=list)
    total: int = 0
    page: int = 1
    page_size: int = 50

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def list_conversations(engine: Engine, filters: Filters, page: int, page_size: int) -> Page:
    """Most recent activity first. The outcome filter is computed from the events and the
    dossier number is checked in them (Python) after a SQL pre-selection; every other filter
    is SQL, so a page without those two reads only its own conversations."""
    page = max(page, 1)
    in_python = bool(filters.outcome or filters.dossier)
    if not store_ready(engine):
        return Page(page=page, page_size=page_size)
    base = _senders_query(filters).subquery()
    ordered = sa.select(base).order_by(base.c.last_activity.desc(), base.c.sender_id)
    with engine.connect() as connection:
        if not in_python:
            total = connection.execute(sa.select(sa.func.count()).select_from(base)).scalar_one()
            rows = connection.execute(ordered.limit(page_size).offset((page - 1) * page_size))
            senders = [row.sender_id for row in rows]
        else:
            senders = [row.sender_id for row in connection.execute(ordered)]
            total = 0
    if not in_python:
        loaded = load_events(engine, senders)
        items = [summarize(sender, loaded.get(sender, [])) for sender in senders]
        return Page(items, int(total), page, page_size)
    matching: list[Summary] = []
    digits = dossier_digits(filters.dossier or "")
    for start in range(0, len(senders), SUMMARY_CHUNK):
        chunk = senders[start : start + SUMMARY_CHUNK]
        loaded = load_events(engine, chunk)
        for sender in chunk:
            events_of = loaded.get(sender, [])
            if filters.dossier and not mentions_dossier(events_of, digits):
                continue
            summary = summarize(sender, events_of)
            if not filters.outcome or summary.outcome == filters.outcome:
                matching.append(summary)
    first = (page - 1) * page_size
    return Page(matching[first : first + page_size], len(matching), page, page_size)


def conversation_events(engine: Engine, sender_id: str) -> list[dict[str, Any]] | None:
    """All events of one conversation, or None when it does not exist."""
    if not store_ready(engine):
        return None
    loaded = load_events(engine, [sender_id])
    return loaded.get(sender_id) or None


def known_intents(engine: Engine) -> list[str]:
    """Intents present in the store, for the filter's drop-down list."""
    if not store_ready(engine):
        return []
    query = (
        sa.select(events.c.intent_name)
        .where(events.c.type_name == "user", events.c.intent_name.isnot(None))
        .distinct()
        .order_by(events.c.intent_name)
    )
    with engine.connect() as connection:
        return [row[0] for row in connection.execute(query)]


def stream_raw(
    engine: Engine, filters: Filters, batch: int = 5000
) -> Iterator[tuple[str, list[str]]]:
    """Every conversation selected by the SQL filters with its stored rows (JSON text), one at
    a time: one query ordered by conversation, read with a server-side cursor where the
    driver has one, so 10 000 conversations are never all in memory."""
    if not store_ready(engine):
        return
    senders = _senders_query(filters).subquery()
    query = (
        sa.select(events.c.sender_id, events.c.data)
        .where(events.c.sender_id.in_(sa.select(senders.c.sender_id)))
        .order_by(events.c.sender_id, events.c.id)
        .execution_options(stream_results=True, yield_per=batch)
    )
    current: str | None = None
    rows: list[str] = []
    with engine.connect() as connection:
        for sender, data in connection.execute(query):
            if sender != current:
                if current is not None:
                    yield current, rows
                current, rows = sender, []
            rows.append(data)
    if current is not None:
        yield current, rows


def keep(filters: Filters, sender: str, rows: list[str]) -> list[dict[str, Any]] | None:
    """The events of a conversation if it passes the outcome and dossier filters (checked on
    the events, as in the list), else None."""
    parsed = parse_events(rows)
    digits = dossier_digits(filters.dossier or "")
    if digits and not mentions_dossier(parsed, digits):
        return None
    if filters.outcome and summarize(sender, parsed).outcome != filters.outcome:
        return None
    return parsed


def stream_conversations(
    engine: Engine, filters: Filters
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Every matching conversation with its parsed events, one at a time (constant memory)."""
    for sender, rows in stream_raw(engine, filters):
        parsed = keep(filters, sender, rows)
        if parsed is not None:
            yield sender, parsed


@dataclass(frozen=True)
class PurgeResult:
    cutoff: datetime
    conversations: int
    events: int
    deleted: bool


def purge(engine: Engine, older_than_days: int, *, dry_run: bool, now: datetime) -> PurgeResult:
    """Delete the conversations whose *last* activity is older than the retention period.

    A conversation still going on has recent events and is kept whole, however old its
    first message.
    """
    cutoff = now - timedelta(days=older_than_days)
    if not store_ready(engine):
        return PurgeResult(cutoff, 0, 0, False)
    old = (
        sa.select(events.c.sender_id)
        .group_by(events.c.sender_id)
        .having(sa.func.max(events.c.timestamp) < cutoff.timestamp())
    )
    condition = events.c.sender_id.in_(old)
    with engine.begin() as connection:
        conversations = connection.execute(
            sa.select(sa.func.count()).select_from(old.subquery())
        ).scalar_one()
        if dry_run:
            query = sa.select(sa.func.count()).select_from(events).where(condition)
            count = connection.execute(query).scalar_one()
        else:
            # One statement: a conversation that comes back to life meanwhile is not touched.
            count = connection.execute(sa.delete(events).where(condition)).rowcount
    return PurgeResult(cutoff, int(conversations), int(count), not dry_run)
