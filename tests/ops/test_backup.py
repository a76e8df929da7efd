"""PostgreSQL back-up and restore (scripts/pg-backup.sh) give back the same portal.

A throwaway PostgreSQL cluster (scripts/with-postgres.sh) holds the portal's database,
migrated and seeded, plus a ticket and a password reset; it is dumped, restored into a new
database, and the two are compared table by table; then the portal, served on the restored
database, logs the demo member in."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sanic import Sanic
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from portal.app import create_app
from portal.config import Settings
from portal.db import make_engine, migrate, unit_of_work
from portal.security import make_hasher
from portal.seed import DEMO_PASSWORD, seed
from portal.services import resets, tickets

ROOT = Path(__file__).resolve().parents[2]
Sanic.test_mode = True


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A database on a throwaway cluster, alive while the fixture is (stdin kept open)."""
    server = subprocess.Popen(
        [
            str(ROOT / "scripts" / "with-postgres.sh"),
            "bash",
            "-c",
            'echo "$PORTAL_DATABASE_URL"; cat',
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None and server.stdin is not None
    url = server.stdout.readline().strip()
    try:
        assert url.startswith("postgresql://"), "with-postgres.sh did not start"
        yield url
    finally:
        server.stdin.close()
        server.wait(timeout=60)


def fingerprint(url: str) -> dict[str, tuple[int, str]]:
    """Row count and an md5 of every row, per table."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
            return {
                table: tuple(
                    connection.execute(
                        text(
                            f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY "
                            f"t::text), '')) FROM \"{table}\" t"
                        )
                    ).one()
                )
                for table in tables
            }
    finally:
        engine.dispose()


def test_a_dump_restored_elsewhere_is_the_same_portal(postgres_url: str, tmp_path: Path) -> None:
    migrate(postgres_url)
    settings = Settings.from_env({"PORTAL_DATABASE_URL": postgres_url, "CARPIMKO_DEMO": "1"})
    engine = make_engine(postgres_url, 1)
    now = datetime(2025, 11, 12, 9, 0, tzinfo=timezone.utc)
    try:
        unit_of_work(engine, seed, make_hasher(settings), now)
        unit_of_work(
            engine,
            tickets.open_ticket,
            "handoff",
            {"conversation_id": "c-1", "channel": "web", "summary": "test"},
            now,
        )
        unit_of_work(engine, resets.start, "affilie", "1234567", now)
    finally:
        engine.dispose()
    dump = tmp_path / "portal.dump"
    subprocess.run([ROOT / "scripts" / "pg-backup.sh", "dump", postgres_url, dump], check=True)

    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CREATE DATABASE restored"))
    admin.dispose()
    restored = make_url(postgres_url).set(database="restored").render_as_string(False)
    subprocess.run([ROOT / "scripts" / "pg-backup.sh", "restore", restored, dump], check=True)

    original = fingerprint(postgres_url)
    assert "alembic_version" in original and len(original) > 5
    assert original["tickets"][0] == 1 and original["password_resets"][0] == 1
    assert fingerprint(restored) == original

    restored_settings = Settings.from_env({"PORTAL_DATABASE_URL": restored, "CARPIMKO_DEMO": "1"})
    app = create_app(restored_settings, name="restored")
    _, response = app.test_client.post(
        "/api/v1/sessions",
        json={"profile": "affilie", "dossier_number": "1234567", "password": DEMO_PASSWORD},
    )
    assert response.status == 201, response.text
