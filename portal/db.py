"""Engine, migrations and the unit of work every request goes through.

Each unit of work is one database transaction run in a worker thread: it
commits when the service function returns and rolls back when it raises, so a
refused request never leaves half-written data.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

PORTAL_DIR = Path(__file__).resolve().parent
T = TypeVar("T")


SQLITE_CACHE_KIB = 512
"""Page cache of each SQLite connection, in KiB."""


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, pool_size: int = 8) -> Engine:
    """Create the engine; SQLite gets WAL, foreign keys and explicit BEGIN IMMEDIATE for writes."""
    if not is_sqlite(url):
        return create_engine(
            url, future=True, pool_pre_ping=True, pool_size=pool_size, max_overflow=pool_size
        )
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        future=True,
        poolclass=QueuePool,
        pool_size=pool_size,
        max_overflow=pool_size,
        connect_args={"check_same_thread": False, "timeout": 30},
    )
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself so that writers can take the lock up front.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: no corruption on power loss
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Each pooled connection keeps its own page cache (SQLite's default: 2 MiB); with up to 16
    # connections it grows with the file. The OS caches the file anyway (docs/benchmarks.md).
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.info.get("write") else "BEGIN")


def unit_of_work(engine: Engine, fn: Callable[..., T], *args: Any, write: bool = True) -> T:
    """Run `fn(session, *args)` in one transaction: commit on return, roll back on error."""
    with engine.connect() as connection:
        connection.info["write"] = write
        with (
            connection.begin(),
            Session(bind=connection, future=True, expire_on_commit=False) as session,
        ):
            result = fn(session, *args)
            session.flush()
    return result


async def run_db(
    engine: Engine,
    executor: ThreadPoolExecutor,
    fn: Callable[..., T],
    *args: Any,
    write: bool = True,
) -> T:
    """Run a unit of work off the event loop."""
    loop = asyncio.get_running_loop()
    call = functools.partial(unit_of_work, engine, fn, *args, write=write)
    return await loop.run_in_executor(executor, call)


def ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def alembic_config(url: str) -> AlembicConfig:
    config = AlembicConfig(str(PORTAL_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(PORTAL_DIR / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str, revision: str = "head") -> None:
    """Bring the schema to `revision` (programmatic `alembic upgrade`)."""
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)
