"""`carpimko` CLI: export (jsonl, csv, html) masked and filtered, purge, staff accounts."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from console_testkit import EMAIL, IBAN, XSS

from console import staff, tracker
from console.cli import main

ROOT = Path(__file__).resolve().parents[2]
CARPIMKO = Path(sys.executable).with_name("carpimko")


def export(tmp_path: Path, fmt: str, *extra: str) -> str:
    out = tmp_path / f"export.{fmt}"
    since = (date.today() - timedelta(days=1000)).isoformat()
    assert (
        main(["transcripts", "export", "--since", since, "--format", fmt, "-o", str(out), *extra])
        == 0
    )
    return out.read_text(encoding="utf-8")


def test_jsonl_has_one_masked_object_per_conversation(env_for_cli: Path, tmp_path: Path) -> None:
    records = [json.loads(line) for line in export(tmp_path, "jsonl").splitlines()]
    assert len(records) == 6
    by_id = {r["sender_id"]: r for r in records}
    injected = by_id["rest-injection"]
    assert injected["channel"] == "rest" and injected["outcome"] == "none"
    assert injected["started_at"] <= injected["last_activity"]
    user = next(t for t in injected["turns"] if t["role"] == "user")
    assert user["intent"] == "change_rib" and user["text"].startswith(XSS)
    assert IBAN not in user["text"] and EMAIL not in user["text"]
    reset = by_id["web-anonyme-reinitialisation"]
    roles = [t["role"] for t in reset["turns"]]
    assert {"user", "bot", "action"} <= set(roles)
    assert any(t.get("name") == "action_reset_deliver" for t in reset["turns"])
    assert any(t.get("response") == "utter_ask_profile" for t in reset["turns"])
    everything = json.dumps(records)
    for secret in (IBAN, EMAIL, "1234567", "eyJ.secret.token"):
        assert secret not in everything


def test_period_and_channel_select_the_conversations(env_for_cli: Path, tmp_path: Path) -> None:
    recent = (date.today() - timedelta(days=3)).isoformat()
    out = tmp_path / "recent.jsonl"
    main(["transcripts", "export", "--since", recent, "--format", "jsonl", "-o", str(out)])
    assert {json.loads(x)["sender_id"] for x in out.read_text().splitlines()} == {
        "ivr-conseiller",
        "rest-injection",
        "rest-reprise",
    }
    web = export(tmp_path, "jsonl", "--channel", "web")
    assert {json.loads(x)["channel"] for x in web.splitlines()} == {"web"}
    until = (date.today() - timedelta(days=300)).isoformat()
    old = export(tmp_path, "jsonl", "--until", until)
    assert {json.loads(x)["sender_id"] for x in old.splitlines()} == {
        "rest-ancienne",
        "rest-reprise",
    }


def test_csv_and_html_are_masked_and_safe(env_for_cli: Path, tmp_path: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(export(tmp_path, "csv"))))
    assert {r["sender_id"] for r in rows} >= {"rest-injection", "ivr-conseiller"}
    assert all(IBAN not in r["text"] and EMAIL not in r["text"] for r in rows)
    page = export(tmp_path, "html")
    assert "&lt;script&gt;" in page and XSS not in page and IBAN not in page
    assert page.count("<section>") == 6


def test_bad_dates_are_refused_in_french(
    env_for_cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["transcripts", "export", "--since", "23/11/2026", "--format", "jsonl"])
    assert "AAAA-MM-JJ" in capsys.readouterr().err


def test_purge_removes_only_conversations_past_retention(
    env_for_cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = tracker.open_engine(f"sqlite:///{env_for_cli}")
    before = {
        s.sender_id for s in tracker.list_conversations(engine, tracker.Filters(), 1, 50).items
    }
    assert main(["transcripts", "purge", "--older-than", "365", "--dry-run"]) == 0
    assert "Simulation : 1 conversation(s)" in capsys.readouterr().out
    assert {
        s.sender_id for s in tracker.list_conversations(engine, tracker.Filters(), 1, 50).items
    } == before
    assert main(["transcripts", "purge", "--older-than", "365"]) == 0
    after = {
        s.sender_id for s in tracker.list_conversations(engine, tracker.Filters(), 1, 50).items
    }
    # rest-reprise began 400 days ago but is still active: kept whole
    assert after == before - {"rest-ancienne"}
    events = tracker.conversation_events(engine, "rest-reprise")
    assert events and any(e.get("text") == "bonjour" for e in events)
    assert main(["transcripts", "purge", "--older-than", "3"]) == 0
    left = {s.sender_id for s in tracker.list_conversations(engine, tracker.Filters(), 1, 50).items}
    assert left == {"rest-injection", "rest-reprise", "ivr-conseiller"}


def test_exports_and_purges_are_audited(env_for_cli: Path, tmp_path: Path, console_db: str) -> None:
    export(tmp_path, "csv")
    main(["transcripts", "purge", "--older-than", "365", "--dry-run"])
    entries, _ = staff.audit_entries(staff.open_store(console_db), 10)
    assert [e["action"] for e in entries[:2]] == ["purge_simulation", "export"]
    assert entries[1]["detail"]["conversations"] == 6 and entries[1]["actor"].startswith("cli")


def create(login: str, password: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CARPIMKO), "staff", "create", login, "--password-stdin"],
        input=f"{password}\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )


def test_staff_create_with_password_on_stdin(tmp_path: Path) -> None:
    env = {
        "CONSOLE_DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}",
        "PATH": "/usr/bin:/bin",
        "CARPIMKO_DEMO": "1",
    }
    run = create("marie.curie", "Un-mot-de-passe-solide", env)
    assert run.returncode == 0, run.stderr
    assert "marie.curie" in run.stdout
    again = create("marie.curie", "Un-autre-mot-de-passe", env)
    assert again.returncode == 1 and "existe déjà" in again.stderr
    short = create("paul", "court", env)
    assert short.returncode == 1 and "au moins 12 caractères" in short.stderr
    store = staff.open_store(env["CONSOLE_DATABASE_URL"])
    hasher = PasswordHasher()
    assert staff.authenticate(store, hasher, "marie.curie", "Un-mot-de-passe-solide")
    assert staff.authenticate(store, hasher, "marie.curie", "Un-autre-mot-de-passe") is None


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(tmp_path: Path) -> None:
    """OWASP CSV injection: a REST sender id may start with - + @, a message with anything."""
    from console_testkit import Say, build_events

    from console.conversations import export_record
    from console.export import csv_rows

    formulas = ["=1+2", "=cmd", "+ de détails", "@moi", "\tcmd", "-2+3"]
    events = build_events(1_700_000_000, "rest", [Say(text, "inform") for text in formulas])
    record = export_record("-1+1", [event.as_dict() for event in events])
    rows = list(csv.DictReader(io.StringIO("".join(csv_rows([record])))))
    user_texts = [r["text"] for r in rows if r["role"] == "user"]
    assert user_texts == ["'" + text for text in formulas]
    assert {r["sender_id"] for r in rows} == {"'-1+1"}
    plain = list(csv.DictReader(io.StringIO("".join(csv_rows([export_record("web-1", [])])))))
    assert plain == []  # nothing to export, nothing invented


class _Stop(Exception):
    """Ends the purge schedule in a test (the real one runs until the stack stops)."""


def test_the_purge_runs_at_once_then_every_period_and_outlives_a_failure(
    env_for_cli: Path,
    console_db: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import console.cli as cli

    waits: list[float] = []
    left_after_first_run: set[str] = set()

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:
            raise _Stop
        engine = tracker.open_engine(f"sqlite:///{env_for_cli}")
        found = tracker.list_conversations(engine, tracker.Filters(), 1, 50).items
        left_after_first_run.update(s.sender_id for s in found)
        engine.dispose()
        audit_log = Path(console_db.removeprefix("sqlite:///"))
        audit_log.unlink()
        audit_log.mkdir()  # the next run cannot write its audit entry

    monkeypatch.setattr(cli.time, "sleep", sleep)
    with pytest.raises(_Stop):
        main(["transcripts", "purge", "--every", "24"])
    assert waits == [24 * 3600, 24 * 3600]
    captured = capsys.readouterr()
    assert "1 conversation(s)" in captured.out  # rest-ancienne, past 365 days, at once
    assert "rest-ancienne" not in left_after_first_run and "rest-reprise" in left_after_first_run
    assert "Purge impossible (OperationalError) : nouvel essai plus tard." in captured.err
