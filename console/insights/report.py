"""The dashboard's figures for a period and a channel: SQL over the summary tables.

Used as is by the page (console/blueprints/dashboard.py) and by ``carpimko insights``, so
both always show the same numbers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from console.conversations import CHANNEL_LABELS
from console.insights.facts import (
    CATEGORIES,
    NOT_UNDERSTOOD_INTENTS,
    SMALL_TALK,
    STEP_LABELS,
)
from console.insights.summary import conversations, intents, misunderstood, steps

RECONTACT_SECONDS = 24 * 3600
TOP_INTENTS = 10
MAX_MISUNDERSTOOD = 1000
"""Most recent not-understood messages grouped on the page (the oldest matter less; the
grouping's cost grows with the square of their number)."""
DEFAULT_DAYS = 30
NOT_REQUESTS = sorted(SMALL_TALK | NOT_UNDERSTOOD_INTENTS)
"""Left out of the top requests: small talk, and what the not-understood section shows."""


@dataclass(frozen=True)
class Period:
    """UTC days, inclusive, and one channel (web, ivr, rest) or all."""

    since: date
    until: date
    channel: str | None = None

    @classmethod
    def default(cls) -> Period:
        """The last 30 UTC days, today included."""
        today = datetime.now(timezone.utc).date()
        return cls(today - timedelta(days=DEFAULT_DAYS - 1), today)

    def previous(self) -> Period:
        """The period of the same length just before (for the trend of requests)."""
        length = (self.until - self.since).days + 1
        return Period(self.since - timedelta(days=length), self.since - timedelta(days=1),
                      self.channel)  # fmt: skip

    def errors(self) -> list[str]:
        found = []
        if self.channel and self.channel not in CHANNEL_LABELS:
            found.append("Canal inconnu : choisissez web, ivr ou rest.")
        if self.since > self.until:
            found.append("La date de début est après la date de fin.")
        if (self.until - self.since).days > 3 * 366:
            found.append("Choisissez une période de trois ans au plus.")
        return found

    def describe(self) -> dict[str, str]:
        described = {"since": self.since.isoformat(), "until": self.until.isoformat()}
        return {**described, "channel": self.channel} if self.channel else described


@dataclass
class Report:
    """Everything the page, the JSON and the CSV show."""

    period: dict[str, str]
    total: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    recontacted: int = 0
    per_day: list[dict[str, Any]] = field(default_factory=list)
    funnels: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    intents: list[dict[str, Any]] = field(default_factory=list)
    phone: dict[str, int] = field(default_factory=dict)
    misunderstood: list[dict[str, Any]] = field(default_factory=list)

    def rate(self, count: int) -> float:
        return round(100.0 * count / self.total, 1) if self.total else 0.0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["rates"] = {k: self.rate(v) for k, v in self.outcomes.items()}
        data.pop("misunderstood")
        return data


def _where(table: sa.Table, period: Period) -> list[Any]:
    conditions = [table.c.day >= period.since.isoformat(), table.c.day <= period.until.isoformat()]
    if period.channel:
        conditions.append(table.c.channel == period.channel)
    return conditions


def _recontacts(connection: Connection, period: Period) -> dict[str, int]:
    """Per day, conversations otherwise resolved that the same member reopened on the same
    subject within 24 h (whatever the channel of the second one)."""
    first, later = conversations.alias("first"), conversations.alias("later")
    again = sa.exists().where(
        later.c.member_key == first.c.member_key,
        later.c.subject == first.c.subject,
        later.c.sender_id != first.c.sender_id,
        later.c.started_at > first.c.started_at,
        later.c.started_at <= first.c.started_at + RECONTACT_SECONDS,
    )
    query = (
        sa.select(first.c.day, sa.func.count())
        .where(*_where(first, period), first.c.category == "resolved")
        .where(first.c.member_key.isnot(None), first.c.subject.isnot(None), again)
        .group_by(first.c.day)
    )
    return {day: int(n) for day, n in connection.execute(query)}


def _outcomes(connection: Connection, report: Report, period: Period) -> None:
    query = (
        sa.select(conversations.c.day, conversations.c.category, sa.func.count())
        .where(*_where(conversations, period))
        .group_by(conversations.c.day, conversations.c.category)
    )
    days: dict[str, dict[str, Any]] = {}
    for day, category, count in connection.execute(query):
        row = days.setdefault(day, {"day": day, **dict.fromkeys(CATEGORIES, 0)})
        row[category] = int(count)
    for day, count in _recontacts(connection, period).items():
        days[day]["resolved"] -= count
        days[day]["recontacted"] = count
        report.recontacted += count
    report.per_day = [days[d] for d in sorted(days)]
    for row in report.per_day:
        row.setdefault("recontacted", 0)
    report.outcomes = {c: sum(r[c] for r in report.per_day) for c in CATEGORIES}
    report.total = sum(report.outcomes.values()) + report.recontacted


def _left_at(connection: Connection, period: Period) -> dict[tuple[str, str], int]:
    """(form, step) → conversations whose last step of that form was this one: where people
    left. Counted per conversation, so that a question asked only sometimes (a reset already
    pending) does not count as people leaving the question before it."""
    last = (
        sa.select(steps.c.sender_id, steps.c.form, sa.func.max(steps.c.position).label("top"))
        .where(*_where(steps, period))
        .group_by(steps.c.sender_id, steps.c.form)
        .subquery()
    )
    on_last = sa.and_(
        steps.c.sender_id == last.c.sender_id,
        steps.c.form == last.c.form,
        steps.c.position == last.c.top,
    )
    query = (
        sa.select(steps.c.form, steps.c.step, sa.func.count())
        .select_from(steps.join(last, on_last))
        .where(*_where(steps, period))
        .group_by(steps.c.form, steps.c.step)
    )
    return {(form, step): int(count) for form, step, count in connection.execute(query)}


def _funnels(connection: Connection, report: Report, period: Period) -> None:
    query = (
        sa.select(steps.c.form, steps.c.step, sa.func.count(), sa.func.avg(steps.c.position))
        .where(*_where(steps, period))
        .group_by(steps.c.form, steps.c.step)
    )
    found: dict[str, list[tuple[float, str, int]]] = {}
    for form, step, count, position in connection.execute(query):
        found.setdefault(form, []).append((float(position), step, int(count)))
    left = _left_at(connection, period)
    for form in sorted(found, key=lambda f: -max(n for _, _, n in found[f])):
        rows = []
        for _, step, count in sorted(found[form]):
            label = STEP_LABELS.get(step) or "Question « " + step.partition(":")[2] + " »"
            gone = 0 if step == "done" else left.get((form, step), 0)
            rows.append({"step": step, "label": label, "reached": count, "left": gone})
        report.funnels[form] = rows


def _intent_counts(connection: Connection, period: Period) -> dict[str, int]:
    query = (
        sa.select(intents.c.intent, sa.func.count())
        .where(*_where(intents, period), intents.c.intent.notin_(NOT_REQUESTS))
        .group_by(intents.c.intent)
    )
    return {intent: int(n) for intent, n in connection.execute(query)}


def _intents(connection: Connection, report: Report, period: Period) -> None:
    now = _intent_counts(connection, period)
    before = _intent_counts(connection, period.previous())
    top = sorted(now.items(), key=lambda item: (-item[1], item[0]))[:TOP_INTENTS]
    report.intents = [
        {"intent": name, "conversations": n, "previous": before.get(name, 0),
         "change": n - before.get(name, 0)}
        for name, n in top
    ]  # fmt: skip


def _phone(connection: Connection, report: Report, period: Period) -> None:
    if period.channel not in (None, "ivr"):
        report.phone = {}
        return
    phone = Period(period.since, period.until, "ivr")

    def total(*conditions: Any) -> int:
        query = sa.select(sa.func.count()).where(*_where(conversations, phone), *conditions)
        return int(connection.execute(query).scalar_one())

    report.phone = {
        "calls": total(),
        "transfers": total(conversations.c.transfer.is_(True)),
        "handed_off": total(conversations.c.category == "handed_off"),
        "hangups_mid_procedure": total(conversations.c.hangup_mid_procedure.is_(True)),
    }


def _misunderstood(connection: Connection, report: Report, period: Period) -> None:
    query = (
        sa.select(misunderstood.c.id, misunderstood.c.text, misunderstood.c.intent,
                  misunderstood.c.day, misunderstood.c.channel)
        .where(*_where(misunderstood, period))
        .order_by(misunderstood.c.id.desc())
        .limit(MAX_MISUNDERSTOOD)
    )  # fmt: skip
    report.misunderstood = [dict(row._mapping) for row in connection.execute(query)]


def build(store: Engine, period: Period) -> Report:
    """Every figure of the dashboard for this period (the summary must be refreshed first)."""
    report = Report(period.describe())
    with store.connect() as connection:
        _outcomes(connection, report, period)
        _funnels(connection, report, period)
        _intents(connection, report, period)
        _phone(connection, report, period)
        _misunderstood(connection, report, period)
    return report


def messages(store: Engine, ids: list[int]) -> list[dict[str, Any]]:
    """Chosen not-understood messages (masked when stored), for the NLU export."""
    if not ids:
        return []
    query = sa.select(misunderstood.c.id, misunderstood.c.text).where(misunderstood.c.id.in_(ids))
    with store.connect() as connection:
        return [
            dict(row._mapping) for row in connection.execute(query.order_by(misunderstood.c.id))
        ]


def up_to_date(store: Engine, source: Engine, pseudonym_key: str, period: Period) -> Report:
    """Refresh the summary with what arrived since the last time, then build the report."""
    from console.insights.summary import refresh

    refresh(store, source, pseudonym_key)
    return build(store, period)
