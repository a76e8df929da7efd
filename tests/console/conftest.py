"""Fixtures: a tracker store seeded through Rasa's API, a console database with one staff
account, and the console app served on a free port over both."""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from console_testkit import FAST_HASHER, STAFF_LOGIN, STAFF_PASSWORD, now, scenario, served
from sanic import Sanic

sys.path.insert(0, str(Path(__file__).parent))

from console import staff
from console.app import create_app
from console.config import Settings

Sanic.test_mode = True


@pytest.fixture(scope="session")
def seeded_tracker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six conversations (see console_testkit.scenario), written once per session."""
    from console_testkit import write_conversations

    path = tmp_path_factory.mktemp("tracker") / "tracker.sqlite3"
    asyncio.run(write_conversations(str(path), scenario(now())))
    return path


@pytest.fixture
def tracker_copy(seeded_tracker: Path, tmp_path: Path) -> Path:
    """A copy a test may change (purge)."""
    copy = tmp_path / "tracker.sqlite3"
    shutil.copy(seeded_tracker, copy)
    return copy


@pytest.fixture
def console_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'console.sqlite3'}"
    engine = staff.open_store(url)
    staff.create_staff(engine, FAST_HASHER, STAFF_LOGIN, STAFF_PASSWORD)
    engine.dispose()
    return url


@pytest.fixture
def settings(seeded_tracker: Path, console_db: str) -> Settings:
    return Settings(
        database_url=console_db,
        tracker_url=f"sqlite:///{seeded_tracker}",
        portal_url="http://127.0.0.1:9",  # nothing listens: the queue says so
        page_size=50,
    )


@pytest_asyncio.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, name="console_test", hasher=FAST_HASHER)
    async with served(app) as http:
        yield http


@pytest.fixture
def env_for_cli(
    monkeypatch: pytest.MonkeyPatch, tracker_copy: Path, console_db: str
) -> Iterator[Path]:
    monkeypatch.setenv("CONSOLE_TRACKER_URL", f"sqlite:///{tracker_copy}")
    monkeypatch.setenv("CONSOLE_DATABASE_URL", console_db)
    monkeypatch.setenv("CARPIMKO_DEMO", "1")  # no portal key needed by these commands' tests
    yield tracker_copy


@pytest.fixture(autouse=True)
def demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """The console's tests run it as `make run` does (CARPIMKO_DEMO=1): production's refusal
    of missing keys is tested in tests/tooling/test_closed_by_default.py."""
    monkeypatch.setenv("CARPIMKO_DEMO", "1")
