"""The SQLite tracker store keeps one connection in WAL mode: conversations are kept across a
restart of Rasa, and another process (the support console) reads them while Rasa writes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from carpimko.nlu.privacy import RedactingSQLTrackerStore


def conversation(sender: str, turns: int) -> DialogueStateTracker:
    events = [ActionExecuted("action_listen")]
    for n in range(turns):
        events += [
            UserUttered(f"message {n}", {"name": "greet", "confidence": 1.0}),
            BotUttered(f"réponse {n}"),
            ActionExecuted("action_listen"),
        ]
    return DialogueStateTracker.from_events(sender, events)


async def test_turns_are_kept_across_a_restart_and_readable_meanwhile(tmp_path: Path) -> None:
    db = tmp_path / "tracker.sqlite3"
    store = RedactingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    await store.save(conversation("alice", 1))
    await store.save(conversation("alice", 3))  # later turns: only the new events are added

    with sqlite3.connect(db) as console:  # another process's view, while Rasa still runs
        assert console.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        texts = [
            row[0]
            for row in console.execute(
                "SELECT json_extract(data, '$.text') FROM events "
                "WHERE sender_id = 'alice' AND type_name = 'user' ORDER BY id"
            )
        ]
    assert texts == ["message 0", "message 1", "message 2"]

    store.engine.dispose()  # Rasa restarts
    again = RedactingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    tracker = await again.retrieve("alice")
    assert tracker is not None
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == texts


async def test_one_connection_serves_every_read_and_write(tmp_path: Path) -> None:
    store = RedactingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    opened = []
    from sqlalchemy import event

    event.listen(store.engine, "connect", lambda *_: opened.append(1))
    for turns in range(1, 6):
        await store.save(conversation("bob", turns))
        assert await store.retrieve("bob") is not None
    assert len(opened) <= 1
