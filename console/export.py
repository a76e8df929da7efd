"""Transcript export (CLI and console download): JSON Lines, CSV or HTML, streamed.

Each format is a generator of text chunks, so 10 000 conversations are written as they
are read, never held in memory. Everything is masked by :mod:`console.conversations`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from console.templating import make_environment

try:  # ujson (installed with Rasa) writes JSON Lines about twice as fast
    import ujson as json
except ImportError:  # pragma: no cover
    import json  # type: ignore[no-redef]

FORMATS = ("jsonl", "csv", "html")
CONTENT_TYPES = {
    "jsonl": "application/x-ndjson; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
}
CSV_COLUMNS = (
    "sender_id",
    "channel",
    "started_at",
    "last_activity",
    "authenticated",
    "outcome",
    "handoff",
    "turn",
    "timestamp",
    "role",
    "text",
    "intent",
    "action",
)


def jsonl(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    for record in records:
        yield json.dumps(record, ensure_ascii=False) + "\n"


def csv_rows(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """One row per turn (message or action), the conversation's columns repeated."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for record in records:
        head = [
            csv_safe(record["sender_id"]),
            record["channel"],
            record["started_at"],
            record["last_activity"],
            "oui" if record["authenticated"] else "non",
            csv_safe(record["outcome"] or ""),
            "oui" if record["handoff"] else "non",
        ]
        for number, turn in enumerate(record["turns"], start=1):
            action = turn.get("name") or turn.get("response") or ""
            writer.writerow(
                [
                    *head,
                    number,
                    turn.get("timestamp") or "",
                    turn["role"],
                    csv_safe(turn.get("text") or ""),
                    csv_safe(turn.get("intent") or ""),
                    csv_safe(action),
                ]
            )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""OWASP « CSV injection »: a spreadsheet reads a cell starting with one of these as a formula."""


def csv_safe(text: str) -> str:
    """A cell a spreadsheet shows as text: a leading ' before a formula start. Every cell a
    user can influence goes through it (sender ids start with + - @ on REST, texts anything)."""
    text = str(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def html(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A standalone page; every value escaped by Jinja2."""
    env = make_environment()
    head = env.get_template("export_head.html")
    block = env.get_template("export_conversation.html")
    yield head.render()
    count = 0
    for record in records:
        count += 1
        yield block.render(c=record)
    yield f'<p class="count">{count} conversation(s).</p>\n</body>\n</html>\n'


WRITERS = {"jsonl": jsonl, "csv": csv_rows, "html": html}
