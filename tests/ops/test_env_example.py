"""`.env.example` lists every setting the services read, and only those, with their defaults.

Settings are found where the code reads them: quoted UPPER_CASE names in the modules that read
the environment, and scripts/run.sh's ``${NAME:=default}`` / ``${NAME:-default}``."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / ".env.example"
# Where settings are read: the services, and the renderer of the multi-instance nginx
# configuration (docs/scaling.md), which lives with the scale tooling.
PACKAGES = ("actions", "carpimko", "console", "portal", "webdemo", "benchmarks/scale/nginx.py")
READS_ENV = re.compile(r"os\.environ|\benv\.get\(|\benv\b, \"")
NAME = re.compile(r"[\"']([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)[\"']")


def example_names() -> set[str]:
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", EXAMPLE.read_text(), re.M))


def python_sources() -> list[Path]:
    """The Python files of PACKAGES (a folder, searched whole, or one file)."""
    return sorted(
        path
        for package in PACKAGES
        for path in (
            [ROOT / package] if package.endswith(".py") else (ROOT / package).rglob("*.py")
        )
    )


def settings_read() -> dict[str, str]:
    """Every setting the code reads → one place that reads it."""
    found: dict[str, str] = {}
    for path in python_sources():
        source = path.read_text(encoding="utf-8")
        if READS_ENV.search(source):
            for name in NAME.findall(source):
                found.setdefault(name, str(path.relative_to(ROOT)))
    run_sh = (ROOT / "scripts" / "run.sh").read_text(encoding="utf-8")
    for name in re.findall(r"\$\{([A-Z][A-Z0-9_]+):[-=]", run_sh):
        found.setdefault(name, "scripts/run.sh")
    return found


def test_every_setting_read_is_in_the_example() -> None:
    missing = {n: where for n, where in settings_read().items() if n not in example_names()}
    assert not missing, f"missing from .env.example: {missing}"


def test_every_name_in_the_example_is_read_somewhere() -> None:
    files = python_sources()
    files += [*ROOT.glob("scripts/*"), *ROOT.glob("*.yml"), *ROOT.glob("deploy/*.yml")]
    sources = [p.read_text(encoding="utf-8", errors="replace") for p in files if p.is_file()]
    sources.append((ROOT / "Makefile").read_text(encoding="utf-8"))
    text = "\n".join(sources)
    unread = sorted(n for n in example_names() if not re.search(rf"\b{n}\b", text))
    assert not unread, f"in .env.example but read nowhere: {unread}"


def exported_example() -> dict[str, str]:
    """The environment a shell gets from `set -a; . ./.env.example` (nothing else)."""
    script = "set -a; . ./.env.example; env -0"
    out = subprocess.run(
        ["env", "-i", "bash", "-c", script], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    env = dict(item.split("=", 1) for item in out.split("\0") if "=" in item)
    return {k: v for k, v in env.items() if k in example_names()}


def comparable(settings: object, random: tuple[str, ...]) -> dict[str, object]:
    """The settings' values, paths made absolute from the repository (where `make run` runs,
    so that ``var/portal.sqlite3`` in the example is the default's absolute path)."""
    values = dataclasses.asdict(settings)  # type: ignore[call-overload]
    for key, value in values.items():
        if isinstance(value, Path):
            values[key] = (ROOT / value).resolve()
        elif isinstance(value, str) and re.match(r"sqlite:///[^/]", value):
            values[key] = f"sqlite:///{ROOT / value.removeprefix('sqlite:///')}"
    return {k: v for k, v in values.items() if k not in random}


@pytest.mark.parametrize(
    ("module", "random"),
    [("portal", ("secret",)), ("console", ()), ("webdemo", ("secret",)), ("actions", ())],
)
def test_the_example_as_is_gives_the_default_settings(
    module: str, random: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exporting the example unchanged changes nothing: its values are the defaults."""
    import importlib

    config = importlib.import_module(f"{module}.config")

    def load() -> object:
        if module == "actions":
            return config.load_settings()
        if module == "portal":
            import os

            return config.Settings.from_env(dict(os.environ))
        return config.Settings.from_env()

    for name in example_names():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CARPIMKO_DEMO", "1")  # as `make run`: the example's values are its own
    defaults = comparable(load(), random)
    for name, value in exported_example().items():
        monkeypatch.setenv(name, value)
    assert comparable(load(), random) == defaults
