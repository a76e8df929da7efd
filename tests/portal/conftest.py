"""Fixtures: the real app served on a free port, over a real database.

The schema is migrated once per session (SQLite file in a temp dir, or the
PostgreSQL server named by PORTAL_DATABASE_URL); each test module gets one
running server, and every test starts from freshly seeded demo data, fresh rate
limits and a fake clock set to Wednesday 12 November 2025, 10:00 in Paris.
Async tests run in their module's event loop (`asyncio(loop_scope="module")`).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pytest_asyncio
from portal_testkit import SERVICE_KEY, START, FakeClock, Portal, served
from sanic import Sanic
from sqlalchemy import text
from sqlalchemy.engine import Engine

from portal.app import create_app
from portal.config import RateLimit, Settings
from portal.db import make_engine, migrate, unit_of_work
from portal.models import Base
from portal.ratelimit import RateLimiter
from portal.security import make_hasher
from portal.seed import seed

Sanic.test_mode = True


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("PORTAL_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('portal') / 'portal-test.sqlite3'}"
    )
    migrate(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url, 2)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        secret="test-secret-" + "x" * 32,
        service_key=SERVICE_KEY,
        demo_mode=True,
        public_url="http://portal.test",
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        argon2_parallelism=1,
        upload_max_bytes=256 * 1024,
        db_threads=4,
        rate_reset_dossier=RateLimit(3, 3600),
        rate_reset_client=RateLimit(10, 3600),
        rate_login_dossier=RateLimit(3, 900),
        rate_login_client=RateLimit(20, 900),
    )


def wipe(engine: Engine) -> None:
    tables = list(reversed(Base.metadata.sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def seeded(engine: Engine, settings: Settings) -> Engine:
    wipe(engine)
    unit_of_work(engine, seed, make_hasher(settings), START)
    return engine


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def running(settings: Settings) -> AsyncIterator[tuple[Sanic, httpx.AsyncClient, FakeClock]]:
    """One server per test module: starting a Sanic app costs more than a test."""
    clock = FakeClock(START)
    app = create_app(settings, clock, name=f"portal_test_{uuid.uuid4().hex[:8]}")
    async with served(app) as client:
        yield app, client, clock


@pytest_asyncio.fixture(loop_scope="module")
async def portal(running: tuple[Sanic, httpx.AsyncClient, FakeClock], seeded: Engine) -> Portal:
    """The module's server over freshly seeded data, the clock and rate limits reset."""
    app, client, clock = running
    clock.now = START
    app.ctx.resources.limiter = RateLimiter()
    return Portal(client, clock, seeded, app)
