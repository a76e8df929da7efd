"""`rasa run` with the HTTP API's token taken from the environment, not the command line.

Rasa 3.6 reads its API token only from ``--auth-token``, and a process's command line is
readable by every local user (``ps``, /proc/<pid>/cmdline). This launcher takes
``RASA_AUTH_TOKEN`` from the environment (readable only by the process's owner), removes it
from there, and hands it to Rasa's own CLI in-process: the visible command line stays
``python -m carpimko.rasa_server run …``.

    RASA_AUTH_TOKEN=… python -m carpimko.rasa_server run --model … --port …

Every Rasa process of the project starts here (``run``, ``shell``, ``test``): it installs the
project's patches of Rasa's internals (:mod:`carpimko.rasa_patches`: version-checked, each with
its reason; ``CARPIMKO_RASA_PATCHES=0`` runs stock Rasa) before any model is loaded.

Closed by default (:mod:`carpimko.ops.deployment`): browsers of other sites get no CORS headers
unless ``RASA_CORS_ORIGINS`` names the site that embeds the widget (``*`` only with
``CARPIMKO_DEMO=1``), and outside demo mode a ``RASA_AUTH_TOKEN`` must be a strong secret; a
``--cors`` on the command line is refused (one setting decides it). Otherwise Rasa does not
start and the message says which setting to fix.

Before Rasa is imported, :func:`skip_unused_imports` keeps out the packages TensorFlow imports
only when they are installed, for features the server never uses: ``jax`` (TensorFlow 2.12
depends on it for its TFLite converter, imported under ``try … except ImportError``) costs about
100 MB of every Rasa process (docs/benchmarks.md, session 6).

It serves Prometheus metrics at ``/metrics`` (:mod:`carpimko.rasa_patches.metrics`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping
from typing import Any

from carpimko.ops import jsonlog
from carpimko.ops.deployment import (
    SettingError,
    allowed_origins,
    demo_mode,
    refuse_to_start,
    strong_secret,
)

UNUSED_OPTIONAL_IMPORTS = ("jax",)
"""Imported by TensorFlow only if installed, and only for what the server never does."""


def skip_unused_imports(modules: MutableMapping[str, Any] = sys.modules) -> None:
    """Make ``import jax`` fail with ImportError in this process, as if it were not installed
    (a ``None`` entry in ``sys.modules``); a package already imported is left alone."""
    for name in UNUSED_OPTIONAL_IMPORTS:
        modules.setdefault(name, None)


def rasa_argv(argv: list[str], environ: dict[str, str] | os._Environ[str]) -> list[str]:
    """Rasa's arguments, with ``--cors`` from RASA_CORS_ORIGINS and ``--enable-api
    --auth-token`` when RASA_AUTH_TOKEN is set (popped from ``environ`` so that child processes
    don't inherit it).

    Raises:
        SettingError: ``--cors`` given, ``*`` outside demo mode, or a weak production token.
    """
    if "--cors" in argv:
        raise SettingError("l'option --cors est remplacée par le réglage RASA_CORS_ORIGINS.")
    if argv[:1] != ["run"]:  # shell, test: no HTTP server of ours to open
        return argv
    origins = allowed_origins(environ)
    cors = ["--cors", *origins] if origins else []
    token = environ.pop("RASA_AUTH_TOKEN", "")
    if not token:
        return [*argv, *cors]
    if not demo_mode(environ):
        strong_secret("RASA_AUTH_TOKEN", token)
    return [*argv, *cors, "--enable-api", "--auth-token", token]


def main() -> None:
    jsonlog.configure("rasa")  # before Rasa's imports: their warnings become JSON lines too
    try:  # before loading anything: a refusal is immediate
        sys.argv = ["rasa", *rasa_argv(sys.argv[1:], os.environ)]
    except SettingError as error:
        refuse_to_start("Rasa", error)
    skip_unused_imports()
    from rasa.__main__ import main as rasa_main

    from carpimko import rasa_patches

    rasa_patches.install()
    rasa_main()


if __name__ == "__main__":
    main()
