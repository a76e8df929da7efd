"""The locks install what the project declares, nothing unpinned, nothing unhashed: the run-time
lock (the Containerfile's) holds no test tool, the dev lock only adds to it, and
`pip install -e .` finds every dependency pyproject.toml reads from requirements.in pinned."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from scripts.lockfile import canonical, read_pins

ROOT = Path(__file__).resolve().parents[2]
LOCKS = ("requirements.lock", "requirements-dev.lock", "requirements-tools.lock")
ENTRY = re.compile(r"^[a-z0-9][a-z0-9-]*==\S+( --hash=sha256:[0-9a-f]{64})+$")


def requirements(name: str) -> list[Requirement]:
    """The requirements of a .in file (its `-r` includes left out), as pip reads them."""
    found = []
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        line = line.split(" #")[0].strip()
        if line and not line.startswith(("#", "-")):
            found.append(Requirement(line))
    return found


def runtime_closure() -> set[str]:
    """requirements.in and everything it pulls in on this platform, from the installed
    packages' metadata (the venv make builds from the locks): what the run-time lock must hold."""
    seen: set[str] = set()
    todo: list[tuple[Requirement, tuple[str, ...]]] = [
        (req, ()) for req in requirements("requirements.in")
    ]
    while todo:
        req, extras = todo.pop()
        if req.marker and not any(req.marker.evaluate({"extra": e}) for e in extras or ("",)):
            continue
        name = canonical(req.name)
        if name in seen:
            continue
        seen.add(name)
        for line in importlib.metadata.distribution(name).requires or []:
            todo.append((Requirement(line), tuple(req.extras)))
    return seen


@pytest.mark.parametrize("lock", LOCKS)
def test_every_pin_is_exact_and_carries_sha256_hashes(lock: str) -> None:
    text = (ROOT / lock).read_text(encoding="utf-8").replace(" \\\n", " ")
    entries = [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]
    entries = [entry for entry in entries if entry and not entry.startswith("#")]
    assert len(entries) > 10
    unhashed = [entry.split(" ")[0] for entry in entries if not ENTRY.match(entry)]
    assert not unhashed, f"{lock}: pins without an exact version or a sha256 hash: {unhashed}"


def test_the_dev_lock_only_adds_to_the_runtime_lock() -> None:
    both = read_pins(ROOT / "requirements.lock").keys() & read_pins(ROOT / "requirements-dev.lock")
    assert not both, f"pinned twice (the dev lock is installed on top of the run-time one): {both}"


def test_the_runtime_lock_is_exactly_what_requirements_in_pulls_in() -> None:
    """No test or lint tool in the image (pytest, ruff, playwright…), and nothing missing."""
    locked = set(read_pins(ROOT / "requirements.lock")) - {"pip"}
    needed = runtime_closure()
    assert not locked - needed, (
        f"in requirements.lock, needed by no run-time package: {locked - needed}"
    )
    assert not needed - locked, f"needed at run time, not in requirements.lock: {needed - locked}"
    dev_only = {canonical(r.name) for r in requirements("requirements-dev.in")} - needed
    assert dev_only and dev_only <= set(read_pins(ROOT / "requirements-dev.lock"))


@pytest.mark.parametrize(
    ("source", "locks"),
    [
        ("requirements.in", ("requirements.lock",)),
        ("requirements-dev.in", ("requirements.lock", "requirements-dev.lock")),
        ("requirements-tools.in", ("requirements-tools.lock",)),
    ],
)
def test_each_declared_requirement_is_satisfied_by_its_pin(source: str, locks: tuple) -> None:
    """pyproject.toml's dependencies are requirements.in: with the lock installed,
    `pip install -e .` has nothing left to fetch (install-venv.sh's `pip check` says the same)."""
    pins = {name: v for lock in locks for name, v in read_pins(ROOT / lock).items()}
    unmet = {
        str(req): pins.get(canonical(req.name))
        for req in requirements(source)
        if (req.marker is None or req.marker.evaluate())
        and (
            canonical(req.name) not in pins
            or not req.specifier.contains(pins[canonical(req.name)], prereleases=True)
        )
    }
    assert not unmet, f"{source}: requirement → locked version: {unmet}"
