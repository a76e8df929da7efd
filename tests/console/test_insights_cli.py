"""The summary tables and `carpimko insights` over tracker stores written by Rasa's own
SQLTrackerStore: SQLite, and PostgreSQL on a throwaway server. The summary is refreshed
incrementally: only conversations with new events are read again."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from console_testkit import IBAN, now
from insights_kit import NOT_UNDERSTOOD, conversations

from console import staff, tracker
from console.cli import main
from console.insights import report, summary

SINCE = (date.today() - timedelta(days=2)).isoformat()
UNTIL = date.today().isoformat()
OUTCOMES = {"resolved": 1, "handed_off": 2, "abandoned": 4, "not_understood": 1}
FUNNEL = [("started", 5, 0), ("question:profile", 5, 2), ("question:dossier_number", 3, 1),
          ("question:delivery_channel", 2, 1), ("confirmed", 1, 0), ("done", 1, 0)]  # fmt: skip


async def save(store: Any, chosen: dict[str, list[Any]]) -> None:
    from rasa.shared.core.trackers import DialogueStateTracker

    for sender, events in chosen.items():
        await store.save(DialogueStateTracker.from_events(sender, events))


def sqlite_store(path: Path) -> Any:
    from rasa.core.tracker_store import SQLTrackerStore

    return SQLTrackerStore(dialect="sqlite", db=str(path))


def check(data: dict[str, Any]) -> None:
    assert data["total"] == 9 and data["outcomes"] == OUTCOMES
    assert data["recontacted"] == 1  # the reset done, reopened 3 h later by the same member
    assert [(s["step"], s["reached"], s["left"]) for s in data["funnels"]["reset_form"]] == FUNNEL
    assert data["phone"] == {"calls": 2, "transfers": 1, "handed_off": 1,
                             "hangups_mid_procedure": 1}  # fmt: skip
    counts = {i["intent"]: i["conversations"] for i in data["intents"]}
    assert counts == {"forgot_password": 5, "contact": 1, "human_handoff": 2}


def test_refresh_reads_only_conversations_with_new_events(tmp_path: Path) -> None:
    played = conversations(now())
    names = list(played)
    rasa_store = sqlite_store(tmp_path / "tracker.sqlite3")
    asyncio.run(save(rasa_store, {n: played[n] for n in names[:4]}))
    source = tracker.open_engine(f"sqlite:///{tmp_path / 'tracker.sqlite3'}")
    store = staff.open_store(f"sqlite:///{tmp_path / 'console.sqlite3'}")
    summary.create_tables(store)
    assert summary.refresh(store, source, "k").conversations == 4
    assert summary.refresh(store, source, "k").conversations == 0  # nothing new
    asyncio.run(save(rasa_store, {n: played[n] for n in names[4:]}))
    assert summary.refresh(store, source, "k").conversations == 5
    period = report.Period(date.fromisoformat(SINCE), date.fromisoformat(UNTIL))
    check(report.build(store, period).as_dict())

    # The web user who left at the first question comes back and is handed to an advisor.
    from rasa.shared.core.events import ActionExecuted, UserUttered

    later = played["web-reset-parti"][-1].timestamp + 60
    extra = [UserUttered("un conseiller", intent={"name": "human_handoff", "confidence": 0.9},
                         input_channel="socketio", timestamp=later),
             ActionExecuted("action_human_handoff", timestamp=later + 1)]  # fmt: skip
    asyncio.run(save(rasa_store, {"web-reset-parti": played["web-reset-parti"] + extra}))
    assert summary.refresh(store, source, "k").conversations == 1
    outcomes = report.build(store, period).outcomes
    assert outcomes["handed_off"] == 3 and outcomes["abandoned"] == 3


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    asyncio.run(save(sqlite_store(tmp_path / "tracker.sqlite3"), conversations(now())))
    console_url = f"sqlite:///{tmp_path / 'console.sqlite3'}"
    monkeypatch.setenv("CONSOLE_TRACKER_URL", f"sqlite:///{tmp_path / 'tracker.sqlite3'}")
    monkeypatch.setenv("CONSOLE_DATABASE_URL", console_url)
    return console_url


def test_cli_json_csv_and_text_agree_and_are_audited(
    cli_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["insights", "--since", SINCE, "--until", UNTIL, "--json"]) == 0
    printed = capsys.readouterr().out
    data = json.loads(printed)
    check(data)
    examples = [e for g in data["not_understood_groups"] for e in g["examples"]]
    assert sorted(examples)[0] == "blabla" and sorted(examples)[1].startswith(NOT_UNDERSTOOD)
    assert IBAN not in printed and "FR76" in sorted(examples)[1]  # masked
    assert main(["insights", "--since", SINCE, "--until", UNTIL, "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert sum(int(r["valeur"]) for r in rows if r["section"] == "incompris") == 2
    issues = {r["cle"]: (r["valeur"], r["taux"]) for r in rows if r["section"] == "issues"}
    assert issues["abandoned"] == ("4", "44.4") and issues["recontacted"] == ("1", "11.1")
    phone = {r["cle"]: r["valeur"] for r in rows if r["section"] == "telephone"}
    assert phone["transfers"] == "1"
    assert main(["insights", "--since", SINCE, "--channel", "web"]) == 0
    text = capsys.readouterr().out
    assert "Conversations : 3" in text and "Résolues sans conseiller : 0 (0.0 %)" in text
    assert "Appels" not in text  # no phone figures for the web
    assert "Messages non compris" not in text  # none on the web
    entries, _ = staff.audit_entries(staff.open_store(cli_env), 10)
    assert [e["detail"]["format"] for e in entries] == ["texte", "csv", "json"]
    assert entries[0]["detail"]["periode"]["channel"] == "web"


def test_cli_refuses_a_period_backwards(cli_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["insights", "--since", UNTIL, "--until", SINCE]) == 2
    assert "La date de début est après la date de fin." in capsys.readouterr().err


def test_cli_on_postgresql(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    """Tracker store and console database on PostgreSQL (the tracker opened read-only)."""
    from rasa.core.tracker_store import SQLTrackerStore

    from tests.reliability.stacklib import Postgres

    server = Postgres()
    try:
        parts = server.url_parts
        rasa_store = SQLTrackerStore(dialect="postgresql", host=parts["url"], port=parts["port"],
                                     db=parts["db"], username=parts["username"])  # fmt: skip
        asyncio.run(save(rasa_store, conversations(now())))
        rasa_store.engine.dispose()
        url = f"postgresql://postgres@127.0.0.1:{parts['port']}/rasa"
        monkeypatch.setenv("CONSOLE_TRACKER_URL", url)
        monkeypatch.setenv("CONSOLE_DATABASE_URL", url)
        assert main(["insights", "--since", SINCE, "--until", UNTIL, "--json"]) == 0
        check(json.loads(capsys.readouterr().out))
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT count(*) FROM insight_conversations"))
            assert rows.scalar_one() == 9
        engine.dispose()
    finally:
        server.close()


def test_purged_conversations_leave_the_summary(
    cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from console_testkit import DAY, Say, build_events

    old = build_events(now() - 400 * DAY, "rest", [Say("quel temps fait-il", "out_of_scope")])
    asyncio.run(save(sqlite_store(tmp_path / "tracker.sqlite3"), {"rest-ancienne": old}))
    assert main(["insights", "--refresh-only"]) == 0
    store = staff.open_store(cli_env)

    def kept() -> set[str]:
        with store.connect() as connection:
            rows = connection.execute(sa.select(summary.conversations.c.sender_id))
            misunderstood = connection.execute(sa.select(summary.misunderstood.c.sender_id))
            return {r[0] for r in rows} | {r[0] for r in misunderstood}

    assert "rest-ancienne" in kept() and len(kept()) == 10
    assert main(["transcripts", "purge", "--older-than", "365"]) == 0
    assert "rest-ancienne" not in kept() and len(kept()) == 9
