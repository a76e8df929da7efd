"""Cost of the hourly cap on letters: the SQL count run before every letter, on a big outbox.

    .venv/bin/python -m benchmarks.letters_cap [ROWS]

Migrates a throwaway SQLite database, fills its outbox with ROWS messages (200 000 by default,
half letters) spread over 30 days, then times :func:`letters_printed_last_hour` 50 times
(the index ``ix_outbox_kind_created_at`` of migration 0003 makes it a range scan).
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert
from sqlalchemy.orm import Session

from portal.db import make_engine, migrate
from portal.models import OutboxMessage
from portal.services.outbox import letters_printed_last_hour

NOW = datetime(2025, 11, 12, 9, tzinfo=timezone.utc)


def main(rows: int) -> str:
    url = f"sqlite:///{tempfile.mkdtemp()}/letters-cap.sqlite3"
    migrate(url)
    engine = make_engine(url, 2)
    step = timedelta(days=30) / rows
    messages = [
        {
            "kind": "courrier" if i % 2 else "email",
            "recipient": "x",
            "subject": "s",
            "body": "b",
            "status": "a_imprimer" if i % 2 else "envoye",
            "attempts": 0,
            "created_at": NOW - i * step,
        }
        for i in range(rows)
    ]
    with engine.begin() as connection:
        connection.execute(insert(OutboxMessage), messages)
    times = []
    with Session(engine) as session:
        for _ in range(50):
            start = time.perf_counter()
            count = letters_printed_last_hour(session, NOW)
            times.append(time.perf_counter() - start)
    engine.dispose()
    times.sort()
    return (
        f"{rows} outbox rows over 30 days, {count} letters in the last hour: "
        f"count p50 {times[25] * 1000:.2f} ms, p95 {times[47] * 1000:.2f} ms"
    )


if __name__ == "__main__":
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000))
