"""The real portal app for the action tests: one server per session on a free port.

The portal test kit (``tests/portal/portal_testkit.py``) serves the real Sanic app over a
temporary SQLite database migrated once; every test starts from freshly seeded demo data,
fresh rate limits and the fake clock at Wednesday 12 November 2025, 10:00 in Paris (the
standard is open). Tests move the clock to test closed hours. ``PORTAL_URL`` and
``PORTAL_SERVICE_KEY`` point the actions at this server.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from sanic import Sanic
from sqlalchemy.engine import Engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "portal"))

from portal_testkit import SERVICE_KEY, START, FakeClock, free_port, served

from portal.app import create_app
from portal.config import RateLimit, Settings
from portal.db import make_engine, migrate, unit_of_work
from portal.models import Base
from portal.ratelimit import RateLimiter
from portal.security import make_hasher
from portal.seed import seed

Sanic.test_mode = True


@dataclass
class RunningPortal:
    url: str
    clock: FakeClock
    app: Sanic
    engine: Engine


@pytest.fixture(scope="session")
def action_portal_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    url = f"sqlite:///{tmp_path_factory.mktemp('actions-portal') / 'portal.sqlite3'}"
    migrate(url)
    return Settings(
        database_url=url,
        secret="test-secret-" + "x" * 32,
        service_key=SERVICE_KEY,
        demo_mode=True,
        public_url="http://portal.test",
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        argon2_parallelism=1,
        db_threads=2,
        rate_reset_dossier=RateLimit(3, 3600),
        rate_reset_client=RateLimit(50, 3600),
    )


@pytest.fixture(scope="session")
def action_portal_engine(action_portal_settings: Settings) -> Iterator[Engine]:
    engine = make_engine(action_portal_settings.database_url, 2)
    yield engine
    engine.dispose()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def portal_server(
    action_portal_settings: Settings, action_portal_engine: Engine
) -> AsyncIterator[RunningPortal]:
    clock = FakeClock(START)
    app = create_app(action_portal_settings, clock, name=f"actions_portal_{uuid.uuid4().hex[:8]}")
    context = served(app)
    await context.__aenter__()
    try:
        yield RunningPortal(f"http://127.0.0.1:{context.port}", clock, app, action_portal_engine)
    finally:
        await context.__aexit__()


@pytest.fixture(autouse=True)
def portal_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """The actions refuse to run without a strong portal key outside demo mode."""
    monkeypatch.setenv("PORTAL_SERVICE_KEY", SERVICE_KEY)


@pytest_asyncio.fixture(loop_scope="session")
async def live_portal(
    portal_server: RunningPortal, monkeypatch: pytest.MonkeyPatch
) -> RunningPortal:
    """The session's portal over fresh demo data; the actions' environment points at it."""
    engine = portal_server.engine
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    unit_of_work(engine, seed, make_hasher(portal_server.app.ctx.settings), START)
    portal_server.clock.now = START
    portal_server.app.ctx.resources.limiter = RateLimiter()
    monkeypatch.setenv("PORTAL_URL", portal_server.url)
    monkeypatch.setenv("PORTAL_SERVICE_KEY", SERVICE_KEY)
    monkeypatch.delenv("PORTAL_TIMEOUT", raising=False)
    monkeypatch.delenv("PORTAL_READ_RETRIES", raising=False)
    return portal_server


@pytest.fixture
def closed_port(monkeypatch: pytest.MonkeyPatch) -> str:
    """A portal URL where nothing listens (connection refused)."""
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("PORTAL_URL", url)
    return url


@pytest_asyncio.fixture(loop_scope="session")
async def hung_portal(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """A TCP server that accepts connections and never answers (portal timeout)."""
    writers: list[asyncio.StreamWriter] = []

    async def accept(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)  # keep the connection open, say nothing

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("PORTAL_URL", url)
    try:
        yield url
    finally:
        for writer in writers:
            writer.close()
        server.close()
        await server.wait_closed()
