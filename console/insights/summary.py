"""Summary tables of the dashboard, in the console's own database, kept up to date from the
tracker store.

The console reads the tracker store read-only; the summary lives next to the audit log
(``CONSOLE_DATABASE_URL``). :func:`refresh` reads only the conversations that received an
event since the last refresh (Rasa's ``events.id`` grows), recomputes their facts
(:mod:`console.insights.facts`) and replaces their rows: the dashboard calls it before each
page, ``carpimko insights`` before each report, and a cron job may call
``carpimko insights refresh`` so that a page never waits for a large backlog.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from console import tracker
from console.insights.facts import Facts, facts_of

CHUNK = 500
metadata = sa.MetaData()
conversations = sa.Table(
    "insight_conversations",
    metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("day", sa.String(10), nullable=False),
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("last_activity", sa.Float, nullable=False),
    sa.Column("category", sa.String(16), nullable=False),
    sa.Column("handoff", sa.Boolean, nullable=False),
    sa.Column("transfer", sa.Boolean, nullable=False),
    sa.Column("hangup_mid_procedure", sa.Boolean, nullable=False),
    sa.Column("member_key", sa.String(32)),
    sa.Column("subject", sa.String(255)),
    sa.Column("user_messages", sa.Integer, nullable=False),
    # Covering indexes: the report's GROUP BYs read the index alone (half the time on
    # 100 000 conversations, docs/console.md).
    sa.Index("ix_insight_conversations_day", "day", "category", "channel"),
    sa.Index(
        "ix_insight_conversations_phone",
        "day",
        "channel",
        "transfer",
        "hangup_mid_procedure",
        "category",
    ),
    sa.Index("ix_insight_conversations_member", "member_key", "subject", "started_at"),
)
intents = sa.Table(
    "insight_intents",
    metadata,
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("day", sa.String(10), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("intent", sa.String(255), nullable=False),
    sa.Column("messages", sa.Integer, nullable=False),
    sa.Index("ix_insight_intents_day", "day", "intent", "channel"),
)
steps = sa.Table(
    "insight_steps",
    metadata,
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("day", sa.String(10), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("form", sa.String(255), nullable=False),
    sa.Column("step", sa.String(255), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Index("ix_insight_steps_day", "day", "form", "step", "position", "channel"),
)
misunderstood = sa.Table(
    "insight_misunderstood",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("day", sa.String(10), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("intent", sa.String(255), nullable=False),
    sa.Index("ix_insight_misunderstood_day", "day", "channel"),
)
state = sa.Table(
    "insight_state",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)
PER_SENDER = (intents, steps, misunderstood, conversations)
WATERMARK = "last_event_id"
_lock = threading.Lock()


@dataclass(frozen=True)
class Refreshed:
    conversations: int
    last_event_id: int


def create_tables(store: Engine) -> None:
    metadata.create_all(store)


def watermark(connection: Connection) -> int:
    value = connection.execute(
        sa.select(state.c.value).where(state.c.name == WATERMARK)
    ).scalar_one_or_none()
    return int(value or 0)


def _write(connection: Connection, batch: list[Facts]) -> None:
    senders = [f.sender_id for f in batch]
    for table in PER_SENDER:
        connection.execute(table.delete().where(table.c.sender_id.in_(senders)))
    connection.execute(
        conversations.insert(),
        [
            {
                "sender_id": f.sender_id, "channel": f.channel, "day": f.day,
                "started_at": f.started_at, "last_activity": f.last_activity,
                "category": f.category, "handoff": f.handoff, "transfer": f.transfer,
                "hangup_mid_procedure": f.hangup_mid_procedure, "member_key": f.member_key,
                "subject": f.subject, "user_messages": f.user_messages,
            }
            for f in batch
        ],
    )  # fmt: skip
    rows = [
        {"sender_id": f.sender_id, "day": f.day, "channel": f.channel, "intent": i, "messages": n}
        for f in batch
        for i, n in f.intents.items()
    ]
    if rows:
        connection.execute(intents.insert(), rows)
    rows = [
        {"sender_id": f.sender_id, "day": f.day, "channel": f.channel, "form": form,
         "step": step, "position": position}
        for f in batch
        for (form, step), position in f.steps.items()
    ]  # fmt: skip
    if rows:
        connection.execute(steps.insert(), rows)
    rows = [
        {"sender_id": f.sender_id, "day": f.day, "channel": f.channel, "text": t, "intent": i}
        for f in batch
        for t, i in f.misunderstood
    ]
    if rows:
        connection.execute(misunderstood.insert(), rows)


def refresh(store: Engine, source: Engine, pseudonym_key: str) -> Refreshed:
    """Bring the summary up to date with the tracker store; returns what was recomputed.

    Each chunk of conversations is written in one transaction and the watermark moves with
    the last one: an interrupted refresh starts again from the previous watermark and
    rewrites the same rows. Two refreshes in one process take turns; two processes at once
    recompute the same rows (delete then insert: same result).
    """
    if not tracker.store_ready(source):
        return Refreshed(0, 0)
    with _lock:
        with store.connect() as connection:
            since = watermark(connection)
        events = tracker.events
        with source.connect() as connection:
            top = connection.execute(sa.select(sa.func.max(events.c.id))).scalar() or 0
            changed = [
                row[0]
                for row in connection.execute(
                    sa.select(events.c.sender_id)
                    .where(events.c.id > since, events.c.id <= top)
                    .distinct()
                    .order_by(events.c.sender_id)
                )
            ]
        for start in range(0, len(changed), CHUNK):
            chunk = changed[start : start + CHUNK]
            loaded = tracker.load_events(source, chunk)
            batch = [facts_of(s, loaded[s], pseudonym_key) for s in chunk if loaded.get(s)]
            last = start + CHUNK >= len(changed)
            with store.begin() as connection:
                if batch:
                    _write(connection, batch)
                if last:
                    _set_watermark(connection, int(top))
        if not changed and top != since:
            with store.begin() as connection:
                _set_watermark(connection, int(top))
        return Refreshed(len(changed), int(top))


def _set_watermark(connection: Connection, value: int) -> None:
    updated = connection.execute(
        state.update().where(state.c.name == WATERMARK).values(value=value)
    ).rowcount
    if not updated:
        connection.execute(state.insert().values(name=WATERMARK, value=value))


def forget_missing(store: Engine, source: Engine) -> int:
    """Drop the summary rows of conversations purged from the tracker store (GDPR). Before
    Rasa has created its store (a fresh stack's first purge) there is nothing to forget."""
    if not tracker.store_ready(source):
        return 0
    with source.connect() as connection:
        alive = {r[0] for r in connection.execute(sa.select(tracker.events.c.sender_id).distinct())}
    with store.begin() as connection:
        known = [r[0] for r in connection.execute(sa.select(conversations.c.sender_id))]
        gone = [s for s in known if s not in alive]
        for start in range(0, len(gone), CHUNK):
            chunk = gone[start : start + CHUNK]
            for table in PER_SENDER:
                connection.execute(table.delete().where(table.c.sender_id.in_(chunk)))
    return len(gone)
