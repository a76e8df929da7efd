"""The packages keep to their roles (docs/architecture.md, « Packages by role »): the services
that do not import Rasa can move off Python 3.10 first, and no two packages import each other.

Every ``import`` is read with :mod:`ast`, those inside functions too: a lazy import is still a
dependency."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Each role and the packages it must never import (module prefixes).
BOT_ONLY = ("carpimko.nlu", "carpimko.channels", "carpimko.rasa_patches", "carpimko.rasa_server")
RASA_SIDE = ("rasa", *BOT_ONLY)
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "carpimko/text": ("rasa", "rasa_sdk", "sanic", "sqlalchemy", "carpimko.ops", *BOT_ONLY),
    "carpimko/ops": ("rasa", "rasa_sdk", *BOT_ONLY),
    "carpimko": ("console", "portal", "actions", "benchmarks", "webdemo", "tests"),
    "console": (*RASA_SIDE, "rasa_sdk", "actions", "benchmarks"),
    "portal": (*RASA_SIDE, "rasa_sdk", "actions", "console", "benchmarks"),
    "webdemo": (*RASA_SIDE, "rasa_sdk", "actions", "console", "benchmarks"),
    "actions": ("rasa", "console", "benchmarks", *BOT_ONLY),
}


def imported_modules(path: Path) -> Iterator[str]:
    """Absolute module names imported anywhere in one file."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def matches(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def python_files(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_a_package_imports_nothing_outside_its_role(folder: str) -> None:
    wrong = sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for path in python_files(folder)
        for module in set(imported_modules(path))
        if any(matches(module, prefix) for prefix in FORBIDDEN[folder])
    )
    assert not wrong, "imports against docs/architecture.md:\n" + "\n".join(wrong)


def test_the_support_command_lives_in_the_console_and_tooling_outside_the_product() -> None:
    """The ``carpimko`` command is the console's (no cycle carpimko ↔ console); the throwaway
    stacks and the scale test are development tools, with the benchmarks."""
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'carpimko = "console.cli:main"' in pyproject
    assert not (ROOT / "carpimko" / "cli.py").exists()
    assert not (ROOT / "carpimko" / "devstack.py").exists()
    assert not (ROOT / "carpimko" / "scale").exists()


def test_the_layout_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    """The reader above is not blind: a lazy import inside a function is found."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from rasa.core import agent\n    return agent\n")
    found = set(imported_modules(sample))
    assert any(matches(module, "rasa") for module in found)
