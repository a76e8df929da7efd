"""Closed by default: each service started with no settings at all refuses, in French, naming
the setting to give; weak or published keys are refused the same way; demo mode is one explicit
switch (carpimko/ops/deployment.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from carpimko.ops.deployment import SettingError, demo_mode, secret_setting, strong_secret
from portal.config import Settings as PortalSettings

ROOT = Path(__file__).resolve().parents[2]
STRONG = "k7Qw2" * 8


def start(module: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m module` with nothing but `env` (and what Python needs to run)."""
    return subprocess.run(
        [sys.executable, "-m", module],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    ("module", "named"),
    [
        ("portal", "PORTAL_SECRET"),
        ("console", "PORTAL_SERVICE_KEY"),
        ("actions.server", "PORTAL_SERVICE_KEY"),
        ("webdemo", "CARPIMKO_DEMO=1"),
    ],
)
def test_a_bare_service_refuses_to_start_and_names_the_setting(module: str, named: str) -> None:
    done = start(module)
    assert done.returncode == 2, done.stderr[-2000:]
    assert named in done.stderr
    assert "ne démarre pas" in done.stderr or "Configuration invalide" in done.stderr


def test_the_portal_refuses_the_demo_key_and_short_secrets() -> None:
    done = start("portal", PORTAL_SECRET=STRONG, PORTAL_SERVICE_KEY="demo-service-key")
    assert done.returncode == 2 and "PORTAL_SERVICE_KEY est trop faible" in done.stderr
    done = start("portal", PORTAL_SECRET="s" * 31, PORTAL_SERVICE_KEY=STRONG)
    assert done.returncode == 2 and "PORTAL_SECRET est trop faible" in done.stderr


def test_the_action_server_wants_a_strong_token_outside_demo_mode() -> None:
    done = start("actions.server", PORTAL_SERVICE_KEY=STRONG, ACTION_SERVER_TOKEN="court")
    assert done.returncode == 2 and "ACTION_SERVER_TOKEN" in done.stderr


def test_production_settings_have_no_demo_and_demo_is_one_explicit_switch() -> None:
    production = PortalSettings.from_env({"PORTAL_SECRET": STRONG, "PORTAL_SERVICE_KEY": STRONG})
    assert not production.demo_mode and production.service_key == STRONG
    demo = PortalSettings.from_env({"CARPIMKO_DEMO": "1"})
    assert demo.demo_mode and demo.service_key == "demo-service-key" and len(demo.secret) >= 32
    assert not demo_mode({}) and demo_mode({"CARPIMKO_DEMO": "oui"})
    with pytest.raises(SettingError):
        demo_mode({"CARPIMKO_DEMO": "peut-être"})


@pytest.mark.parametrize("weak", ["", "x" * 31, "demo-service-key", "DEMO-SERVICE-KEY"])
def test_weak_secrets_are_refused(weak: str) -> None:
    with pytest.raises(SettingError, match="MY_KEY"):
        strong_secret("MY_KEY", weak)
    assert secret_setting({"MY_KEY": weak}, "MY_KEY", demo=True) in (weak, "demo-service-key")
