"""Many people logging in at once: every login succeeds, and no more password hashes run at
the same time than the portal allows (each holds the argon2 memory while it runs)."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from argon2 import PasswordHasher
from portal_testkit import Portal

from portal.config import Settings
from portal.security import BoundedPasswordHasher, make_hasher

DOSSIERS = ["1234567", "7654321"]


class Gauge:
    """Counts the hash checks running at one time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.calls = 0

    def __enter__(self) -> None:
        with self.lock:
            self.running += 1
            self.calls += 1
            self.most = max(self.most, self.running)

    def __exit__(self, *_: object) -> None:
        with self.lock:
            self.running -= 1


@pytest.mark.asyncio(loop_scope="module")
async def test_twenty_simultaneous_logins_all_succeed_with_at_most_two_hashes_at_once(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    gauge = Gauge()
    verify = PasswordHasher.verify

    def slow_verify(self: PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:
        with gauge:
            time.sleep(0.02)  # long enough for the logins to overlap
            return verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", slow_verify)
    hasher = portal.app.ctx.resources.hasher
    assert isinstance(hasher, BoundedPasswordHasher)
    assert hasher.max_concurrent == 2

    sessions = await asyncio.gather(*(portal.login(DOSSIERS[i % 2]) for i in range(20)))

    assert all(headers["Authorization"].startswith("Bearer ") for headers in sessions)
    assert gauge.calls >= 20
    assert gauge.most == 2


def test_the_bound_and_the_argon2_parameters_come_from_the_environment() -> None:
    settings = Settings.from_env({"CARPIMKO_DEMO": "1", "PORTAL_ARGON2_MAX_CONCURRENT": "1"})
    hasher = make_hasher(settings)
    assert hasher.max_concurrent == 1
    # OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 lane.
    assert (hasher.memory_cost, hasher.time_cost, hasher.parallelism) == (19456, 2, 1)
    assert hasher.verify(hasher.hash("Carpimko2024"), "Carpimko2024")


def test_a_bound_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        BoundedPasswordHasher(max_concurrent=0)
