"""`carpimko privacy scan|scrub`: what is reported, what is not, and the scrub of old rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from carpimko.text.privacy import SEALED_PREFIX
from console import staff, tracker
from console.cli import main
from console.privacy_scan import (
    DomainFacts,
    scan_event,
    scan_logs,
    scan_tracker,
    scrub_tracker,
    stack_folders,
)

FACTS = DomainFacts.load()
IBAN = "FR7630004008260001234567871"
UPLOAD_ID = "a3f9c2b1d4e5f6a7b8c9d0e1f2a3b4c5"  # the portal's uuid4().hex


def kinds(data: dict[str, Any]) -> list[str]:
    return [finding.kind for finding in scan_event(1, "conv", data, FACTS)]


def test_the_domain_tells_typed_slots_and_its_own_examples() -> None:
    assert {"rib_iban", "callback_phone", "new_email"} <= FACTS.typed_slots
    assert "FR76 3000 6000 0112 3456 7890 189" in FACTS.own_values  # utter_invalid_iban


def test_what_a_user_wrote_is_reported_in_clear() -> None:
    assert kinds({"event": "user", "text": f"mon iban {IBAN}"}) == ["IBAN"]
    assert kinds({"event": "user", "text": "Carpimko@2024"}) == ["mot de passe"]
    entity = {"entity": "email", "value": "jeanne.dupont@example.fr"}
    assert kinds({"event": "user", "text": "", "parse_data": {"entities": [entity]}}) == ["e-mail"]
    assert kinds({"event": "user", "text": "mon iban FR76 **** **** 7871, dossier 1234567"}) == []


def test_slots_typed_sealed_and_made_by_the_bot() -> None:
    assert kinds({"event": "slot", "name": "address_line", "value": "Carpimko@2024"}) == [
        "mot de passe"
    ]
    assert kinds({"event": "slot", "name": "rib_iban", "value": IBAN}) == ["IBAN"]
    assert kinds({"event": "slot", "name": "rib_iban", "value": SEALED_PREFIX + "gAAAA1x"}) == []
    assert kinds({"event": "slot", "name": "document_upload", "value": UPLOAD_ID}) == []
    assert kinds({"event": "slot", "name": "reset_id", "value": "ba2637d1c0e94f5a8b6c"}) == []


def test_the_bot_s_own_examples_are_not_reported_but_an_echo_is() -> None:
    example = "Cet IBAN n'est pas valide (exemple : FR76 3000 6000 0112 3456 7890 189)."
    assert kinds({"event": "bot", "text": example}) == []
    assert kinds({"event": "bot", "text": f"Nouvel IBAN : {IBAN}"}) == ["IBAN"]
    # The phone numbers the bot gives are the fund's own, from the portal at run time.
    assert kinds({"event": "bot", "text": "Appelez le 01 30 48 10 00."}) == []


def test_log_lines_name_their_file_and_line(tmp_path: Path) -> None:
    log = tmp_path / "actions.log"
    log.write_text("ok\nrappel demandé au 06 71 23 45 89\n")
    [finding] = list(scan_logs([log], FACTS))
    assert finding.kind == "téléphone" and finding.place == f"{log}:2"
    assert "71 23 45" not in finding.line()


def planted_store(path: Path, rows: list[dict[str, Any]]) -> str:
    url = f"sqlite:///{path}"
    engine = sa.create_engine(url)
    tracker.metadata.create_all(engine)
    with engine.begin() as connection:
        for row in rows:
            connection.execute(
                tracker.events.insert(),
                {"sender_id": "conv", "type_name": row["event"], "data": json.dumps(row)},
            )
    engine.dispose()
    return url


def test_scrub_masks_rows_written_before_and_the_scan_turns_green(tmp_path: Path) -> None:
    url = planted_store(
        tmp_path / "old.sqlite3",
        [
            {"event": "user", "text": f"voici {IBAN} et Carpimko@2024", "parse_data": {}},
            {"event": "slot", "name": "callback_phone", "value": "+33671234589"},
            {"event": "bot", "text": "Bonjour"},
        ],
    )
    engine = sa.create_engine(url)
    assert [f.kind for f in scan_tracker(engine, FACTS)] == ["IBAN", "mot de passe", "téléphone"]
    assert scrub_tracker(engine, FACTS) == 2
    assert list(scan_tracker(engine, FACTS)) == []
    with engine.connect() as connection:
        stored = " ".join(connection.execute(sa.select(tracker.events.c.data)).scalars())
    assert "FR76 **** **** 7871" in stored and "[mot de passe masqu" in stored
    engine.dispose()


def test_the_command_exits_red_then_green(tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    url = planted_store(tmp_path / "store.sqlite3", [{"event": "user", "text": IBAN}])
    console = f"sqlite:///{tmp_path / 'console.sqlite3'}"
    staff.record(staff.open_store(console), "agent", "recherche", "jeanne.dupont@example.fr")
    monkeypatch.setenv("CONSOLE_DATABASE_URL", console)
    assert main(["privacy", "scan", "--tracker", url, "--console", console, "--logs"]) == 1
    out = capsys.readouterr().out
    assert "IBAN en clair : conversation conv, événement 1 (message)" in out
    assert "e-mail en clair : journal d'audit, ligne 1 (cible)" in out
    assert main(["privacy", "scrub", "--tracker", url]) == 0
    empty = f"sqlite:///{tmp_path / 'empty-console.sqlite3'}"
    assert main(["privacy", "scan", "--tracker", url, "--console", empty, "--logs"]) == 0


def test_only_folders_a_stack_ran_in_are_read(tmp_path: Path) -> None:
    """A stack leaves its logs beside its store; a store built by hand for a test does not."""
    for name in ("stack0", "fixture0"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "tracker.sqlite3").write_bytes(b"")
    (tmp_path / "stack0" / "log").mkdir()
    assert stack_folders(tmp_path) == [tmp_path / "stack0"]
