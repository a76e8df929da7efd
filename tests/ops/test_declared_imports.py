"""Every package the services import is declared in requirements.in, not only pulled in by
Rasa or spaCy (a dependency that drops it would otherwise break the assistant silently), and
pinned in requirements.lock, the run-time lock the image installs (not only in the dev lock)."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

from scripts.lockfile import canonical, read_pins

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("actions", "carpimko", "console", "portal", "webdemo")
DISTRIBUTION = {  # import name → distribution name, where they differ
    "argon2": "argon2-cffi",
    "jwt": "pyjwt",
    "sklearn": "scikit-learn",
    "yaml": "pyyaml",
    "socketio": "python-socketio",
    "prometheus_client": "prometheus-client",
    "rasa_sdk": "rasa-sdk",
    "sqlalchemy": "sqlalchemy",
}


def declared() -> set[str]:
    names = set()
    for line in (ROOT / "requirements.in").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            names.add(re.split(r"[<>=!~\[; ]", line)[0].lower().replace("_", "-"))
    return names


def imported() -> dict[str, str]:
    """Top-level third-party modules imported by the services → one file importing it."""
    found: dict[str, str] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    top = module.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in PACKAGES:
                        found.setdefault(top, str(path.relative_to(ROOT)))
    found.pop("__future__", None)
    return found


def test_every_imported_package_is_declared() -> None:
    names = declared()
    missing = {
        top: where
        for top, where in imported().items()
        if DISTRIBUTION.get(top, top).lower().replace("_", "-") not in names
    }
    assert not missing, f"imported but not in requirements.in: {missing}"


def test_requirements_in_has_one_valid_requirement_per_line() -> None:
    """pyproject.toml reads requirements.in as its dependencies: no comment after a name."""
    from packaging.requirements import Requirement

    for line in (ROOT / "requirements.in").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            Requirement(line)


def test_every_imported_package_is_in_the_runtime_lock() -> None:
    """The image installs requirements.lock alone: an import served only by a dev tool's
    dependency would pass the tests and fail in production."""
    locked = read_pins(ROOT / "requirements.lock")
    missing = {
        top: where
        for top, where in imported().items()
        if canonical(DISTRIBUTION.get(top, top)) not in locked
    }
    assert not missing, f"imported but not in requirements.lock: {missing}"
