"""The Rasa launcher hands the API token over in-process and keeps it from child processes."""

from __future__ import annotations

import subprocess
import sys

from carpimko.rasa_server import rasa_argv, skip_unused_imports


def test_token_from_the_environment_enables_the_api() -> None:
    env = {"RASA_AUTH_TOKEN": "s3cr3t", "OTHER": "x"}
    argv = rasa_argv(["run", "--port", "5005"], env)
    assert argv == ["run", "--port", "5005", "--enable-api", "--auth-token", "s3cr3t"]
    assert env == {"OTHER": "x"}  # not inherited by what Rasa starts


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
