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


def stored_rows(db: Path, sender: str) -> list[tuple[str, str | None]]:
    with sqlite3.connect(db) as console:
        return list(
            console.execute(
                "SELECT type_name, coalesce(json_extract(data, '$.text'), "
                "json_extract(data, '$.name')) FROM events WHERE sender_id = ? ORDER BY id",
                (sender,),
            )
        )


async def test_a_turn_saved_twice_stores_each_event_once_without_counting(tmp_path: Path) -> None:
    """The channel guard saves a turn, then Rasa saves it again: each event is stored once, in
    order, and the store does not ask the database how many it already has."""
    db = tmp_path / "t.db"
    store = RedactingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    await store.save(conversation("carol", 1))
    statements: list[str] = []
    from sqlalchemy import event

    event.listen(store.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    tracker = await store.retrieve("carol")
    assert tracker is not None
    tracker.update(UserUttered("encore", {"name": "greet", "confidence": 1.0}))
    await store.save(tracker)
    tracker.update(BotUttered("réponse"))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    await store.save(tracker)

    assert stored_rows(db, "carol") == [
        ("action", "action_listen"), ("user", "message 0"), ("bot", "réponse 0"),
        ("action", "action_listen"), ("user", "encore"), ("bot", "réponse"),
        ("action", "action_listen"),
    ]  # fmt: skip
    assert not [s for s in statements if "count(" in s.lower()]
    again = await store.retrieve("carol")
    assert again is not None and list(again.events) == list(tracker.events)


async def test_a_new_session_within_a_turn_is_appended_once(tmp_path: Path) -> None:
    from rasa.shared.core.events import SessionStarted

    db = tmp_path / "t.db"
    store = RedactingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    await store.save(conversation("dan", 2))
    tracker = await store.retrieve("dan")
    assert tracker is not None
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    tracker.update(UserUttered("bonjour", {"name": "greet", "confidence": 1.0}))
    await store.save(tracker)

    rows = stored_rows(db, "dan")
    assert len(rows) == 7 + 4 and rows[-4:] == [
        ("action", "action_session_start"), ("session_started", None),
        ("action", "action_listen"), ("user", "bonjour"),
    ]  # fmt: skip
    latest = await store.retrieve("dan")  # the last session only, as Rasa reads it
    assert latest is not None
    assert [e.text for e in latest.events if isinstance(e, UserUttered)] == ["bonjour"]


async def test_a_tracker_built_elsewhere_is_counted_as_rasa_does(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    store = RedactingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    await store.save(conversation("erin", 2))
    await store.save(conversation("erin", 3))  # not read from the store: only the new turn
    await store.save(conversation("erin", 3))
    assert [text for kind, text in stored_rows(db, "erin") if kind == "user"] == [
        "message 0", "message 1", "message 2",
    ]  # fmt: skip
