"""The Rasa launcher hands the API token over in-process and keeps it from child processes,
and opens Rasa to browsers of the configured site only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from carpimko.ops.deployment import SettingError
from carpimko.rasa_server import rasa_argv, skip_unused_imports

STRONG = "t" * 40
ROOT = Path(__file__).resolve().parents[2]


def test_token_from_the_environment_enables_the_api() -> None:
    env = {"RASA_AUTH_TOKEN": STRONG, "OTHER": "x"}
    argv = rasa_argv(["run", "--port", "5005"], env)
    assert argv == ["run", "--port", "5005", "--enable-api", "--auth-token", STRONG]
    assert env == {"OTHER": "x"}  # not inherited by what Rasa starts


def test_outside_demo_mode_a_weak_token_is_refused() -> None:
    for token in ("s3cr3t", "demo-service-key"):
        with pytest.raises(SettingError, match="RASA_AUTH_TOKEN"):
            rasa_argv(["run"], {"RASA_AUTH_TOKEN": token})
    demo = {"RASA_AUTH_TOKEN": "s3cr3t", "CARPIMKO_DEMO": "1"}
    assert rasa_argv(["run"], demo)[-2:] == ["--auth-token", "s3cr3t"]


def test_cors_is_the_configured_site_and_never_everyone_in_production() -> None:
    site = {"RASA_CORS_ORIGINS": "https://www.carpimko.com"}
    assert rasa_argv(["run"], site) == ["run", "--cors", "https://www.carpimko.com"]
    assert rasa_argv(["run"], {}) == ["run"]  # no origin: no CORS headers at all
    with pytest.raises(SettingError, match="RASA_CORS_ORIGINS"):
        rasa_argv(["run"], {"RASA_CORS_ORIGINS": "*"})
    with pytest.raises(SettingError, match="RASA_CORS_ORIGINS"):
        rasa_argv(["run", "--cors", "*"], {"CARPIMKO_DEMO": "1"})
    assert rasa_argv(["run"], {"RASA_CORS_ORIGINS": "*", "CARPIMKO_DEMO": "1"})[-1] == "*"


def test_the_launcher_refuses_in_french_before_loading_anything() -> None:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "RASA_CORS_ORIGINS": "*"}
    done = subprocess.run(
        [sys.executable, "-m", "carpimko.rasa_server", "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 2
    assert "Rasa ne démarre pas" in done.stderr and "RASA_CORS_ORIGINS" in done.stderr


def test_without_a_token_the_api_stays_off() -> None:
    for env in ({}, {"RASA_AUTH_TOKEN": ""}):
        assert rasa_argv(["run"], env) == ["run"]


def test_tensorflow_and_rasa_import_without_jax_in_the_server_process() -> None:
    """jax is skipped before Rasa is imported; TensorFlow and Rasa's server modules still load."""
    code = (
        "import sys\n"
        "from carpimko.rasa_server import skip_unused_imports\n"
        "skip_unused_imports()\n"
        "import tensorflow, rasa.core.agent, rasa.core.run\n"
        "from tensorflow.lite.python import util\n"
        "assert sys.modules['jax'] is None and util._xla_computation is None\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("ok")


def test_a_package_already_imported_is_left_alone() -> None:
    modules: dict[str, object] = {"jax": "loaded"}
    skip_unused_imports(modules)
    assert modules == {"jax": "loaded"}
    empty: dict[str, object] = {}
    skip_unused_imports(empty)
    assert empty == {"jax": None}
