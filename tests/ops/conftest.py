"""One stack for the operations tests: scripts/run.sh on free ports, the portal's clock on a
Wednesday at 10:00 (advisors open: a handoff opens a ticket), JSON logs (LOG_FORMAT=json)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from benchmarks.devstack import DevStack, StackError, running_stack

OPEN_HOURS = "2025-11-12T10:00:00+01:00"
LOG_HASH_KEY = "cle-de-test-des-journaux"
"""Known (``ops_stack.env``) so that a test can find a conversation's lines by its hash."""


@pytest.fixture(scope="session")
def ops_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    overrides = {
        "PORTAL_CLOCK_START": OPEN_HOURS,
        "LOG_FORMAT": "json",
        "LOG_HASH_KEY": LOG_HASH_KEY,
    }
    try:
        with running_stack(tmp_path_factory.mktemp("ops"), overrides) as running:
            yield running
    except StackError as error:
        pytest.fail(str(error))


@pytest.fixture(autouse=True)
def demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """The services are built as `make run` builds them (CARPIMKO_DEMO=1); production's refusal
    of missing keys is tested in tests/tooling/test_closed_by_default.py."""
    monkeypatch.setenv("CARPIMKO_DEMO", "1")
