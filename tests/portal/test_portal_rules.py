"""Pure business rules: delivery dates, masking, password rules, settings."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from portal.config import ConfigError, RateLimit, Settings
from portal.db import downgrade, make_engine, migrate
from portal.models import Base
from portal.security import password_problems
from portal.services.delivery import add_working_days, expected_letter_delivery


def paris(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour - 1, tzinfo=timezone.utc)  # winter: UTC+1


@pytest.mark.parametrize(
    "requested, expected",
    [
        (paris(2025, 11, 12), date(2025, 11, 17)),  # Wednesday -> Monday (week-end skipped)
        (paris(2025, 11, 14), date(2025, 11, 19)),  # Friday -> Wednesday
        (paris(2025, 11, 15), date(2025, 11, 19)),  # Saturday -> Wednesday
        (paris(2025, 11, 7), date(2025, 11, 13)),  # Friday before 11 November (Armistice)
        (paris(2024, 12, 24), date(2024, 12, 30)),  # Christmas Day skipped
        (paris(2024, 12, 31), date(2025, 1, 6)),  # New Year's Day and a week-end skipped
    ],
)
def test_letter_arrives_within_72_hours_excluding_week_ends_and_holidays(
    requested: datetime, expected: date
) -> None:
    assert expected_letter_delivery(requested) == expected


def test_may_2024_holidays_8_may_and_ascension_are_skipped() -> None:
    # Monday 6 May 2024: 7 (1), 8 May holiday, 9 Ascension, 10 (2), week-end, 13 (3).
    assert add_working_days(date(2024, 5, 6), 3) == date(2024, 5, 13)


def test_the_date_is_reckoned_in_paris_time() -> None:
    # 23:30 UTC on Friday is already Saturday in Paris.
    late_friday = datetime(2025, 11, 14, 23, 30, tzinfo=timezone.utc)
    assert expected_letter_delivery(late_friday) == date(2025, 11, 19)


@pytest.mark.parametrize(
    "password, ok",
    [
        ("Abcdefg1", True),
        ("Abcdef1", False),
        ("abcdefg1", False),
        ("ABCDEFG1", False),
        ("Abcdefgh", False),
        ("Élan2025x", True),
    ],
)
def test_password_rules(password: str, ok: bool) -> None:
    assert (password_problems(password) == []) is ok


def test_settings_defaults_and_production_requirements() -> None:
    settings = Settings.from_env({"CARPIMKO_DEMO": "1"})
    assert settings.port == 8080 and settings.host == "127.0.0.1" and settings.demo_mode
    assert settings.database_url.endswith("var/portal.sqlite3")
    assert settings.upload_max_bytes == 5 * 1024 * 1024
    with pytest.raises(ConfigError, match="PORTAL_SECRET"):
        Settings.from_env({})  # no settings at all: production, and no secret
    production = Settings.from_env(
        {
            "PORTAL_SECRET": "s" * 32,
            "PORTAL_SERVICE_KEY": "k" * 32,
            "PORTAL_RATE_LOGIN_DOSSIER": "10/60",
            "PORTAL_PORT": "9000",
        }
    )
    assert production.rate_login_dossier == RateLimit(10, 60) and production.port == 9000
    with pytest.raises(ConfigError):
        Settings.from_env({"CARPIMKO_DEMO": "1", "PORTAL_RATE_LOGIN_DOSSIER": "dix"})
    with pytest.raises(ConfigError):
        Settings.from_env({"CARPIMKO_DEMO": "1", "PORTAL_PORT": "huit"})


def test_migrations_upgrade_and_downgrade_cleanly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/migrations.sqlite3"
    migrate(url)
    engine = make_engine(url, 1)
    tables = set(inspect(engine).get_table_names())
    assert {"members", "payments", "documents", "outbox", "password_resets"} <= tables
    downgrade(url, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    migrate(url)
    assert set(inspect(engine).get_table_names()) == tables
    engine.dispose()


def test_migrations_match_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/compare.sqlite3"
    migrate(url)
    engine = make_engine(url, 1)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_each_sqlite_connection_keeps_a_bounded_page_cache(tmp_path: Path) -> None:
    """Sixteen pooled connections must not each grow a 2 MiB cache as the file grows."""
    engine = make_engine(f"sqlite:///{tmp_path}/cache.sqlite3", 2)
    with engine.connect() as connection:
        size = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    engine.dispose()
    assert size == -512 and mode == "wal"
