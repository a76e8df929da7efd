"""`carpimko privacy scan`: prove that nothing personal is kept in clear.

Reads what the assistant keeps — Rasa's tracker store (SQLite or PostgreSQL), the console's
database (audit log) and the services' logs — and reports every IBAN, e-mail address, phone
number or password-like value found in clear, with where it is (never the value itself: the
report shows its masked form). What counts as personal data is
:func:`carpimko.text.privacy.find_personal_data`, the same finder that masks it, so the scan and the
masking cannot disagree.

Where it looks in a conversation: what the user wrote (text, parse data, entities), the slot
values (passwords only in the slots a form fills from typed text, read from domain.yml: the
bot's upload ids would look like one), and the bot's messages (less the examples the fund's
own responses give, « FR76 3000 6000 0112 3456 7890 189 », and its own phone numbers).
Numéros de dossier are not reported: staff find a file by its number, and it is no secret.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Engine

from carpimko.facts import fill
from carpimko.text.privacy import SEALED_PREFIX, PersonalData, find_personal_data
from console import staff, tracker

DOMAIN = Path(__file__).resolve().parents[1] / "domain.yml"


@dataclass(frozen=True)
class Finding:
    """One value in clear: its kind, where it is, and how it would have been masked."""

    kind: str
    place: str
    masked: str

    def line(self) -> str:
        return f"{self.kind} en clair : {self.place} (serait {self.masked})"


@dataclass(frozen=True)
class DomainFacts:
    """What the domain says about its own texts and slots."""

    typed_slots: frozenset[str]
    """Slots filled from the user's typed text (``from_text``): a password may land there."""
    own_values: frozenset[str]
    """Personal-data-shaped values written in the fund's responses (examples, its numbers)."""

    @classmethod
    def load(cls, path: Path = DOMAIN) -> DomainFacts:
        domain = yaml.safe_load(path.read_text(encoding="utf-8"))
        typed = {
            name
            for name, slot in (domain.get("slots") or {}).items()
            if any(m.get("type") == "from_text" for m in slot.get("mappings") or [])
        }
        texts = [
            fill(variant.get("text") or "")  # as sent: the fund's facts in their slots
            for variants in (domain.get("responses") or {}).values()
            for variant in variants
        ]
        own = {
            text[found.start : found.end]
            for text in texts
            for found in find_personal_data(text, passwords=False, dossiers=False)
        }
        return cls(frozenset(typed), frozenset(own))


def _findings(text: Any, place: str, facts: DomainFacts, *, passwords: bool) -> Iterator[Finding]:
    if not isinstance(text, str) or not text or text.startswith(SEALED_PREFIX):
        return
    found: PersonalData
    for found in find_personal_data(text, passwords=passwords, dossiers=False):
        if text[found.start : found.end] not in facts.own_values:
            yield Finding(found.kind, place, found.masked)


USER_SIDE = frozenset({"mot de passe", "IBAN", "e-mail", "téléphone"})
BOT_SIDE = frozenset({"IBAN", "e-mail"})
"""What the bot says is searched for IBANs and e-mails only: the phone numbers it gives are the
fund's own (from the portal at run time), and it never repeats a member's number in clear."""

Field = tuple[str, Any, Any, bool, frozenset[str]]
"""Where a value sits in an event: label, its container, its key there, whether passwords are
searched, and the kinds reported there."""


def _fields(data: dict[str, Any], facts: DomainFacts) -> Iterator[Field]:
    """The values of a stored event that may hold personal data."""
    kind = data.get("event")
    if kind == "user":
        yield "message", data, "text", True, USER_SIDE
        parse = data.get("parse_data")
        if isinstance(parse, dict):
            yield "analyse", parse, "text", True, USER_SIDE
            for entity in parse.get("entities") or []:
                if isinstance(entity, dict):
                    yield "entité", entity, "value", False, USER_SIDE
    elif kind == "slot" and not str(data.get("name", "")).endswith("_id"):
        name = str(data.get("name"))
        typed = name in facts.typed_slots
        values = data.get("value")
        if isinstance(values, list):
            for index in range(len(values)):
                yield f"slot {name}", values, index, typed, USER_SIDE
        else:
            yield f"slot {name}", data, "value", typed, USER_SIDE
    elif kind == "bot":
        yield "réponse", data, "text", False, BOT_SIDE


def _value(container: Any, key: Any) -> Any:
    return container.get(key) if isinstance(container, dict) else container[key]


def scan_event(
    row_id: int, sender: str, data: dict[str, Any], facts: DomainFacts
) -> Iterator[Finding]:
    """The personal data in clear in one stored event."""
    for label, container, key, passwords, kinds in _fields(data, facts):
        place = f"conversation {sender}, événement {row_id} ({label})"
        for finding in _findings(_value(container, key), place, facts, passwords=passwords):
            if finding.kind in kinds:
                yield finding


def scrub_event(data: dict[str, Any], facts: DomainFacts) -> bool:
    """Mask in place what :func:`scan_event` would report (rows written before the masking
    of the store was complete); returns whether anything changed."""
    changed = False
    for _, container, key, passwords, kinds in _fields(data, facts):
        value = _value(container, key)
        if not isinstance(value, str) or value.startswith(SEALED_PREFIX):
            continue
        found = [
            f
            for f in find_personal_data(value, passwords=passwords, dossiers=False)
            if f.kind in kinds and value[f.start : f.end] not in facts.own_values
        ]
        for item in reversed(found):
            value = value[: item.start] + item.masked + value[item.end :]
        if found:
            container[key] = value
            changed = True
    return changed


def scrub_tracker(engine: Engine, facts: DomainFacts) -> int:
    """Rewrite the stored events that hold personal data in clear; returns how many."""
    if not tracker.store_ready(engine):
        return 0
    table = tracker.events
    changed = 0
    with engine.begin() as connection:
        rows = connection.execute(sa.select(table.c.id, table.c.data).order_by(table.c.id))
        updates = []
        for row_id, raw in rows:
            try:
                data = json.loads(raw or "{}")
            except ValueError:
                continue
            if isinstance(data, dict) and scrub_event(data, facts):
                updates.append({"row": row_id, "data": json.dumps(data)})
        if updates:
            statement = (
                table.update()
                .where(table.c.id == sa.bindparam("row"))
                .values(data=sa.bindparam("data"))
            )
            connection.execute(statement, updates)
            changed = len(updates)
    return changed


def scan_tracker(engine: Engine, facts: DomainFacts) -> Iterator[Finding]:
    """Every event of Rasa's tracker store, in the order written."""
    if not tracker.store_ready(engine):
        return
    query = sa.select(tracker.events.c.id, tracker.events.c.sender_id, tracker.events.c.data)
    with engine.connect() as connection:
        for row_id, sender, raw in connection.execution_options(stream_results=True).execute(
            query.order_by(tracker.events.c.id)
        ):
            try:
                data = json.loads(raw or "{}")
            except ValueError:
                continue
            if isinstance(data, dict):
                yield from scan_event(row_id, sender, data, facts)


def scan_console(engine: Engine, facts: DomainFacts) -> Iterator[Finding]:
    """The console's audit log: what staff searched for and exported."""
    if not sa.inspect(engine).has_table(staff.audit.name):
        return
    query = sa.select(staff.audit.c.id, staff.audit.c.target, staff.audit.c.detail)
    with engine.connect() as connection:
        for row_id, target, detail in connection.execute(query.order_by(staff.audit.c.id)):
            for column, text in (("cible", target), ("détail", detail)):
                place = f"journal d'audit, ligne {row_id} ({column})"
                yield from _findings(text, place, facts, passwords=False)


def scan_logs(paths: Iterable[Path], facts: DomainFacts) -> Iterator[Finding]:
    """Each line of the services' logs."""
    for path in paths:
        with path.open(encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, start=1):
                yield from _findings(line, f"{path}:{number}", facts, passwords=False)


def stack_folders(root: Path) -> list[Path]:
    """Folders under ``root`` that a stack ran in (``benchmarks.devstack``: ``tracker.sqlite3``
    beside the services' ``log/``), as the suites of ``make test`` leave them. The stores the
    console's tests build by hand, clear values included to test the masking, have no logs."""
    return sorted(p.parent for p in root.rglob("tracker.sqlite3") if (p.parent / "log").is_dir())


# --- command line (`carpimko privacy scan|scrub`) ---------------------------------------------
SHOWN = 50
"""Findings printed one per line; the rest are counted."""


def add_commands(groups: Any) -> None:
    """``carpimko privacy scan`` and ``carpimko privacy scrub``."""
    privacy = groups.add_parser("privacy", help="données personnelles conservées")
    commands = privacy.add_subparsers(dest="command", required=True)
    scan = commands.add_parser("scan", help="chercher des données personnelles en clair")
    scan.add_argument("--tracker", help="URL SQLAlchemy du tracker store (défaut : réglages)")
    scan.add_argument("--console", help="URL de la base de la console (défaut : réglages)")
    scan.add_argument("--logs", nargs="*", type=Path, default=None, help="fichiers ou dossiers")
    scan.add_argument(
        "--stacks", type=Path, help="lire chaque pile de test sous ce dossier (make test)"
    )
    scrub = commands.add_parser("scrub", help="masquer les données en clair déjà écrites")
    scrub.add_argument("--tracker", help="URL SQLAlchemy du tracker store (défaut : réglages)")


def _log_files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files += sorted(path.rglob("*.log")) if path.is_dir() else [path] if path.exists() else []
    return files


def _sources(args: Any, settings: Any) -> Iterator[tuple[str, str, str, list[Path]]]:
    """(name, tracker URL, console URL, log files) of each place to read."""
    if args.stacks is not None:
        for folder in stack_folders(args.stacks):
            yield (
                str(folder),
                f"sqlite:///{folder / 'tracker.sqlite3'}",
                f"sqlite:///{folder / 'console.sqlite3'}",
                _log_files([folder / "log"]),
            )
        return
    logs = _log_files(args.logs if args.logs is not None else [Path("var/log")])
    yield "", args.tracker or settings.tracker_url, args.console or settings.database_url, logs


def _scan_source(
    tracker_url: str, console_url: str, logs: list[Path], facts: DomainFacts
) -> Iterator[Finding]:
    engine = tracker.open_engine(tracker_url, read_only=True)
    try:
        yield from scan_tracker(engine, facts)
    finally:
        engine.dispose()
    missing_file = console_url.startswith("sqlite:///") and not Path(console_url[10:]).exists()
    if not missing_file:
        console = sa.create_engine(console_url)
        try:
            yield from scan_console(console, facts)
        finally:
            console.dispose()
    yield from scan_logs(logs, facts)


def scrub(args: Any, settings: Any, facts: DomainFacts) -> int:
    """Rewrite the tracker store's rows that hold personal data in clear (audited)."""
    engine = tracker.open_engine(args.tracker or settings.tracker_url, read_only=False)
    try:
        changed = scrub_tracker(engine, facts)
    finally:
        engine.dispose()
    store = staff.open_store(settings.database_url)
    staff.record(store, "cli", "privacy_scrub", "tracker", {"evenements": changed})
    print(f"{changed} événement(s) masqué(s) dans le tracker store.")
    return 0


def run(args: Any, settings: Any) -> int:
    """Scan: print the findings, exit status 1 when there is any. Scrub: mask them."""
    facts = DomainFacts.load()
    if args.command == "scrub":
        return scrub(args, settings, facts)
    total = 0
    places = 0
    for _name, tracker_url, console_url, logs in _sources(args, settings):
        places += 1
        for finding in _scan_source(tracker_url, console_url, logs, facts):
            total += 1
            if total <= SHOWN:
                print(finding.line())
    if total:
        print(f"{total} donnée(s) personnelle(s) en clair trouvée(s).", file=sys.stderr)
        return 1
    print(f"Aucune donnée personnelle en clair ({places} source(s) lue(s)).")
    return 0
