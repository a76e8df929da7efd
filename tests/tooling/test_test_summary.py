"""The closing line of `make test` adds up every suite and fails when one failed or did not run."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from scripts.test_summary import main

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="{errors}" failures="{failures}" skipped="{skipped}"
 tests="{tests}" time="1.0"></testsuite></testsuites>"""


def junit(path: Path, tests: int, failures: int = 0, errors: int = 0, skipped: int = 0) -> Path:
    path.write_text(
        JUNIT.format(tests=tests, failures=failures, errors=errors, skipped=skipped),
        encoding="utf-8",
    )
    return path


def stories(path: Path, correct: int, total: int) -> Path:
    report = {
        "conversation_accuracy": {"accuracy": correct / total, "correct": correct, "total": total}
    }
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


def last_line(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_adds_up_every_suite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = junit(tmp_path / "a.xml", tests=10, skipped=1)
    b = junit(tmp_path / "b.xml", tests=5)
    s = stories(tmp_path / "s.json", correct=7, total=7)
    assert main(["--junit", str(a), str(b), "--stories", str(s)]) == 0
    assert last_line(capsys) == " 21 passed, 1 skipped ".center(80, "=")


def test_a_failure_anywhere_fails_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = junit(tmp_path / "a.xml", tests=10, errors=1)
    s = stories(tmp_path / "s.json", correct=6, total=7)
    assert main(["--junit", str(a), "--stories", str(s)]) == 1
    assert last_line(capsys) == " 2 failed, 15 passed ".center(80, "=")


def test_a_suite_that_left_no_result_fails_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = junit(tmp_path / "a.xml", tests=3)
    assert main(["--junit", str(a), str(tmp_path / "missing.xml")]) == 1
    out = capsys.readouterr().out
    assert "missing.xml: no result" in out
    assert out.strip().splitlines()[-1] == " 3 passed ".center(80, "=")


def test_the_closing_line_gives_the_whole_run_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = junit(tmp_path / "a.xml", tests=4)
    started = tmp_path / "started"
    started.write_text(f"{time.time() - 90}\n", encoding="utf-8")
    assert main(["--junit", str(a), "--started", str(started)]) == 0
    line = last_line(capsys)
    assert line.startswith("=") and line.endswith("=")
    seconds = float(line.strip("= ").split(" in ")[1].rstrip("s"))
    assert 90 <= seconds < 100
