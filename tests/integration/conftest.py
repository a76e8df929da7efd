"""A whole stack (portal, action server, Rasa) started by scripts/run.sh, as `make run` does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from benchmarks.devstack import DevStack, StackError, running_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    """scripts/run.sh on free ports with throwaway databases; stopped with Ctrl-C afterwards.

    Started with SIGINT ignored, as anything launched with `&` from a script starts:
    Ctrl-C must stop it all the same, whichever way the test runner itself was started."""
    try:
        # 127.0.0.1 plays the reverse proxy: its X-Forwarded-For names the real client.
        proxy = {"CARPIMKO_TRUSTED_PROXIES": "127.0.0.1"}
        sigint_ignored = ("env", "--ignore-signal=INT")
        with running_stack(
            tmp_path_factory.mktemp("stack"), proxy, launcher=sigint_ignored
        ) as running:
            yield running
    except StackError as error:
        pytest.fail(str(error))
