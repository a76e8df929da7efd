"""One closing line for `make test`: every suite's counts added up.

`make test` runs several runners (pytest twice, Rasa's story test, schemathesis); whatever runs
last would otherwise give the closing line, and a reader (or CI) would take a partial count, or
the fuzzer's « 2 warnings in 25 s », for the whole run. This reads what each runner wrote and
closes the output with the whole count in pytest's own shape
(``==== 2 failed, 1447 passed in 1084.20s ====``), exiting non-zero if anything failed or a
suite left no result.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Counts:
    """Passed/failed/skipped test cases of one suite."""

    passed: int = 0
    failed: int = 0
    skipped: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.passed + other.passed, self.failed + other.failed, self.skipped + other.skipped
        )


def junit_counts(path: Path) -> Counts:
    """Counts of a pytest JUnit XML report (``--junitxml``)."""
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = Counts()
    for suite in suites:
        tests = int(suite.get("tests", 0))
        failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped = int(suite.get("skipped", 0))
        total = total + Counts(tests - failed - skipped, failed, skipped)
    return total


def story_counts(path: Path) -> Counts:
    """Counts of Rasa's ``story_report.json`` (``rasa test core --out``)."""
    report = json.loads(path.read_text(encoding="utf-8"))
    accuracy = report["conversation_accuracy"]
    correct, total = int(accuracy["correct"]), int(accuracy["total"])
    return Counts(correct, total - correct)


def closing_line(total: Counts, seconds: float | None) -> str:
    """The whole run's count in pytest's shape: failed first, zero counts left out."""
    parts = [f"{total.failed} failed"] if total.failed else []
    parts.append(f"{total.passed} passed")
    if total.skipped:
        parts.append(f"{total.skipped} skipped")
    text = ", ".join(parts) + (f" in {seconds:.2f}s" if seconds is not None else "")
    return f" {text} ".center(80, "=")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--junit", nargs="*", default=[], type=Path, help="pytest JUnit XML files")
    parser.add_argument("--stories", nargs="*", default=[], type=Path, help="story_report.json")
    parser.add_argument(
        "--started", type=Path, help="file holding the run's start time (seconds since the epoch)"
    )
    args = parser.parse_args(argv)
    total = Counts()
    missing = []
    for path, reader in [(p, junit_counts) for p in args.junit] + [
        (p, story_counts) for p in args.stories
    ]:
        if not path.exists():
            missing.append(str(path))
            continue
        counts = reader(path)
        print(f"  {path}: {counts.passed} passed, {counts.failed} failed, {counts.skipped} skipped")
        total = total + counts
    for path in missing:
        print(f"  {path}: no result (the suite did not run)")
    seconds = None
    if args.started and args.started.exists():
        seconds = time.time() - float(args.started.read_text(encoding="utf-8").strip())
    print(closing_line(total, seconds))
    return 1 if total.failed or missing or not total.passed else 0


if __name__ == "__main__":
    sys.exit(main())
