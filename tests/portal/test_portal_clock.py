"""The demo clock: movable only in demo mode, ticking from where it was set."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from portal.config import ConfigError, Settings
from portal.timeutil import ShiftableClock


def test_shiftable_clock_ticks_from_its_start() -> None:
    start = datetime(2025, 11, 17, 9, 0, tzinfo=timezone.utc)
    clock = ShiftableClock(start)
    assert abs(clock() - start) < timedelta(seconds=2)
    later = start + timedelta(hours=10)
    clock.set(later)
    assert abs(clock() - later) < timedelta(seconds=2)


def test_clock_start_only_in_demo_mode() -> None:
    env = {"PORTAL_CLOCK_START": "2025-11-17T10:00:00+01:00"}
    assert Settings.from_env({**env, "CARPIMKO_DEMO": "1"}).clock_start == env["PORTAL_CLOCK_START"]
    production = {**env, "PORTAL_SECRET": "s" * 40, "PORTAL_SERVICE_KEY": "k" * 40}
    with pytest.raises(ConfigError):
        Settings.from_env(production)
    with pytest.raises(ConfigError):
        Settings.from_env({"CARPIMKO_DEMO": "1", "PORTAL_CLOCK_START": "2025-11-17T10:00:00"})
