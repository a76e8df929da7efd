"""The portal's rate limiter: quotas per key in their own window, and memory that follows the
keys of the last window only."""

from __future__ import annotations

import pytest

from portal.config import RateLimit
from portal.errors import TooManyRequests
from portal.ratelimit import RateLimiter

LOGIN = RateLimit(5, 900)
RESET = RateLimit(5, 3600)
MESSAGE = "Trop de tentatives : réessayez dans {minutes} minutes."


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_the_sixth_attempt_is_refused_with_the_wait_in_minutes(clock: Clock) -> None:
    limiter = RateLimiter(clock)
    for _ in range(5):
        limiter.hit("login:dossier:1234567", LOGIN, MESSAGE)
        clock.now += 10
    with pytest.raises(TooManyRequests) as refused:
        limiter.hit("login:dossier:1234567", LOGIN, MESSAGE)
    assert str(refused.value) == "Trop de tentatives : réessayez dans 15 minutes."
    limiter.hit("login:dossier:7654321", LOGIN, MESSAGE)  # another dossier is not affected
    clock.now += 900
    limiter.hit("login:dossier:1234567", LOGIN, MESSAGE)  # the window has passed


def test_a_key_keeps_its_own_window_when_other_rules_sweep(clock: Clock) -> None:
    """Reset attempts (1 h) are not forgotten because a login (15 min) triggered a sweep."""
    limiter = RateLimiter(clock, sweep_seconds=60)
    for _ in range(5):
        limiter.hit("reset:dossier:1234567", RESET, MESSAGE)
    clock.now += 1200  # past the login window, within the reset window
    limiter.hit("login:client:10.0.0.1", LOGIN, MESSAGE)  # sweeps
    with pytest.raises(TooManyRequests):
        limiter.check("reset:dossier:1234567", RESET, MESSAGE)


def test_expired_keys_are_forgotten_so_memory_stays_bounded(clock: Clock) -> None:
    limiter = RateLimiter(clock, sweep_seconds=60)
    for n in range(10_000):
        limiter.hit(f"reset:dossier:{n:07d}", RESET, MESSAGE)
    assert len(limiter) == 10_000
    clock.now += 3601
    limiter.hit("reset:dossier:0000001", RESET, MESSAGE)
    assert len(limiter) == 1


def test_past_the_key_limit_the_least_recently_used_are_forgotten(clock: Clock) -> None:
    limiter = RateLimiter(clock, max_keys=100)
    for _ in range(5):
        limiter.hit("login:dossier:busy", LOGIN, MESSAGE)
    for n in range(300):
        clock.now += 0.01
        limiter.hit(f"login:dossier:{n}", LOGIN, MESSAGE)
    assert len(limiter) <= 100
    limiter.check("login:dossier:0", LOGIN, MESSAGE)  # forgotten: allowed again
    assert len(limiter) <= 100


def test_recently_used_keys_survive_the_key_limit(clock: Clock) -> None:
    limiter = RateLimiter(clock, max_keys=100)
    for n in range(99):
        limiter.hit(f"login:dossier:{n}", LOGIN, MESSAGE)
    for _ in range(5):
        limiter.hit("login:dossier:attacked", LOGIN, MESSAGE)
    limiter.hit("login:dossier:new", LOGIN, MESSAGE)  # over the limit: the oldest goes
    with pytest.raises(TooManyRequests):
        limiter.check("login:dossier:attacked", LOGIN, MESSAGE)


def test_reset_forgets_a_key(clock: Clock) -> None:
    limiter = RateLimiter(clock)
    for _ in range(5):
        limiter.hit("login:dossier:1234567", LOGIN, MESSAGE)
    limiter.reset("login:dossier:1234567")
    limiter.check("login:dossier:1234567", LOGIN, MESSAGE)
