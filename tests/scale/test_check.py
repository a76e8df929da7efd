"""The checker of `make scale-test` finds every broken conversation it is shown."""

from __future__ import annotations

import json
from typing import Any

from benchmarks.scale.check import (
    CLIENT,
    DUPLICATED,
    FAILOVER,
    LOST,
    OUT_OF_ORDER,
    UNANSWERED,
    UNEXPECTED,
    Conversation,
    Turn,
    check_all,
    check_conversation,
    client_violations,
    events_from_rows,
    failover_violations,
)

SENT = ["c001-m01", "c001-m02", "c001-m03"]


def user(message_id: str | None) -> dict[str, Any]:
    metadata = {"message_id": message_id} if message_id else {}
    return {"event": "user", "text": "bonjour", "metadata": metadata}


def bot(text: str = "Bonjour !") -> dict[str, Any]:
    return {"event": "bot", "text": text}


def session_start() -> list[dict[str, Any]]:
    return [
        {"event": "action", "name": "action_session_start"},
        {"event": "session_started"},
        {"event": "action", "name": "action_listen"},
    ]


def good_history() -> list[dict[str, Any]]:
    events = session_start()
    for message_id in SENT:
        events += [user(message_id), {"event": "action", "name": "utter_greet"}, bot()]
        events.append({"event": "action", "name": "action_listen"})
    return events


def kinds(events: list[dict[str, Any]], sent: list[str] = SENT) -> list[str]:
    return [v.kind for v in check_conversation("c001", sent, events)]


def test_a_complete_conversation_passes() -> None:
    assert kinds(good_history()) == []


def test_a_message_missing_from_the_tracker_is_lost() -> None:
    events = [e for e in good_history() if e.get("metadata") != {"message_id": "c001-m02"}]
    found = check_conversation("c001", SENT, events)
    assert [v.kind for v in found] == [LOST]
    assert "c001-m02" in found[0].detail


def test_a_message_stored_twice_is_duplicated() -> None:
    events = [*good_history(), user("c001-m03"), bot()]
    assert kinds(events) == [DUPLICATED]


def test_messages_stored_in_another_order_are_out_of_order() -> None:
    events = [*session_start(), user("c001-m02"), bot(), user("c001-m01"), bot()]
    events += [user("c001-m03"), bot()]
    assert kinds(events) == [OUT_OF_ORDER]


def test_a_message_without_a_bot_answer_is_unanswered() -> None:
    events = [*session_start(), user("c001-m01"), user("c001-m02"), bot(), user("c001-m03"), bot()]
    found = check_conversation("c001", SENT, events)
    assert [v.kind for v in found] == [UNANSWERED]
    assert "c001-m01" in found[0].detail


def test_the_last_message_without_an_answer_is_unanswered_too() -> None:
    events = [*good_history(), user("c001-m04")]
    assert kinds(events, [*SENT, "c001-m04"]) == [UNANSWERED]


def test_a_user_message_nobody_sent_is_unexpected() -> None:
    events = [*good_history(), user(None), bot()]
    assert kinds(events) == [UNEXPECTED]


def test_a_conversation_never_stored_loses_every_message() -> None:
    found = check_all({"c001": SENT, "c002": ["c002-m01"]}, {"c001": good_history()})
    assert [(v.sender, v.kind) for v in found] == [("c002", LOST)]


def test_rows_of_the_events_table_are_grouped_by_conversation_in_order() -> None:
    rows = [
        ("a", json.dumps(user("a-m01"))),
        ("b", json.dumps(user("b-m01"))),
        ("a", json.dumps(bot())),
        ("b", json.dumps(bot())),
        ("a", json.dumps(user("a-m02"))),
        ("a", json.dumps(bot())),
    ]
    stored = events_from_rows(rows)
    assert check_all({"a": ["a-m01", "a-m02"], "b": ["b-m01"]}, stored) == []
    assert [e["event"] for e in stored["a"]] == ["user", "bot", "user", "bot"]


A, B = "127.0.0.1:5001", "127.0.0.1:5002"


def turn(n: int, at: float | None, upstream: str, text: str = "Bonjour !") -> Turn:
    return Turn(
        f"c001-m{n:02d}",
        "bonjour",
        attempts=1,
        status=200 if at is not None else 502,
        answers=[{"text": text}] if at is not None else [],
        upstream=upstream,
        sent_at=(at or 100.0) - 0.1,
        answered_at=at,
    )


def moved_conversation() -> Conversation:
    """Served by A until the kill at t=10, then by B (nginx tried A first)."""
    turns = [turn(1, 5.0, A), turn(2, 9.0, A), turn(3, 31.0, f"{A}, {B}"), turn(4, 32.0, B)]
    return Conversation("c001", turns, finished=True)


def test_a_conversation_that_went_on_on_the_survivor_passes() -> None:
    conversations = [moved_conversation(), Conversation("c002", [turn(1, 5.0, B)], True)]
    assert client_violations(conversations) == []
    assert failover_violations(conversations, A, killed_at=10.0) == ([], 1)


def test_the_client_reports_unanswered_empty_and_apologising_turns() -> None:
    apology = "Désolé, je ne peux pas terminer cette démarche pour le moment : un service…"
    turns = [turn(1, 5.0, B), turn(2, None, ""), turn(3, 6.0, B, text=apology)]
    turns[0].answers = []
    found = client_violations([Conversation("c001", turns, finished=False)])
    details = [v.detail for v in found]
    assert all(v.kind == CLIENT for v in found)
    assert details[0] == "c001-m01 : réponse vide"
    assert details[1].startswith("c001-m02 sans réponse (HTTP 502")
    assert details[2] == "c001-m03 : tour en échec (excuse)"
    assert details[3] == "conversation inachevée"


def test_a_kill_that_moved_no_conversation_fails() -> None:
    only_b = [Conversation("c001", [turn(1, 5.0, B), turn(2, 30.0, B)], True)]
    found, moved = failover_violations(only_b, A, killed_at=10.0)
    assert moved == 0 and [v.kind for v in found] == [FAILOVER]
    assert failover_violations(only_b, A, killed_at=None)[0][0].kind == FAILOVER


def test_an_answer_from_the_dead_instance_after_the_kill_fails() -> None:
    conversation = moved_conversation()
    conversation.turns[3].upstream = A
    found, _ = failover_violations([conversation], A, killed_at=10.0)
    assert [v.detail for v in found] == ["c001-m04 répondu par l'instance tuée"]
