"""Every change this project makes to Rasa's (and scikit-learn's) internals, installed in one place.

Each patch replaces one private method of a library at an exact version. It is installed only
when that version is the one installed: on any other, it refuses with a log line naming the
version it was written for, and the library's own code runs (slower, same answers). Each
speed-up has a differential test against the library's own answers (``tests/rasa_patches/``),
and ``CARPIMKO_RASA_PATCHES=0`` runs stock Rasa (``make test`` plays the test stories both ways).

Installed by :func:`install` from the one entry point every Rasa process goes through,
``python -m carpimko.rasa_server`` (``make run``, ``make shell``, the test stories, the
benchmarks), and, for the patches that need the served agent, by :func:`install_on_agent` once
the server has started (``carpimko.channels.guard.harden_agent``).

:data:`PATCHES` lists them, each with the reason it exists (the upstream issue where there is one).
"""

from __future__ import annotations

import importlib
import logging
import os
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

logger = logging.getLogger(__name__)

STOCK_SETTING = "CARPIMKO_RASA_PATCHES"
"""``0`` runs stock Rasa: no speed-up installed (behaviour patches stay: they are the product)."""


@dataclass(frozen=True)
class Patch:
    """One patch: its module (with ``install()`` or ``install(agent)``), the library version it
    was written for, and whether it only speeds things up."""

    name: str
    library: str
    written_for: str
    why: str
    speed_up: bool = True
    on_agent: bool = False

    @property
    def module(self) -> str:
        return f"{__name__}.{self.name}"

    def applies(self) -> bool:
        """Whether the installed library is the version this patch was written for."""
        try:
            installed = version(self.library)
        except PackageNotFoundError:
            installed = "absent"
        if installed == self.written_for:
            return True
        logger.warning(
            "Patch %s not installed: written for %s %s, found %s; %s's own code runs.",
            self.name, self.library, self.written_for, installed, self.library,
        )  # fmt: skip
        return False


RASA = "3.6.21"
PATCHES = (
    Patch("fast_load", "rasa", RASA, "loading DIET runs a training step (RasaHQ/rasa#10194)"),
    Patch(
        "action_validation",
        "rasa",
        RASA,
        "each action answer is checked against the whole oneOf schema (RasaHQ/rasa#8730)",
    ),
    Patch(
        "event_types",
        "rasa",
        RASA,
        "Event.resolve_by_type walks every subclass per event (no upstream issue)",
    ),
    Patch(
        "slot_copy", "rasa", RASA, "copy.copy(Slot) takes the pickle protocol (no upstream issue)"
    ),
    Patch(
        "rule_index",
        "rasa",
        RASA,
        "RulePolicy checks every rule at each prediction (RasaHQ/rasa#10703, #8850)",
    ),
    Patch(
        "graph_runner",
        "rasa",
        RASA,
        "dask's scheduler is rebuilt for each parse and prediction (RasaHQ/rasa#10754)",
        on_agent=True,
    ),
    Patch(
        "metrics",
        "rasa",
        RASA,
        "Rasa Open Source 3.6 serves no metrics; its app is built inside serve_application",
        speed_up=False,
    ),
    Patch(
        "password_warning",
        "rasa",
        RASA,
        "no hook to speak right after the NLU masked a password (no upstream issue)",
        speed_up=False,
    ),
)


def stock() -> bool:
    """Whether stock Rasa was asked for (no speed-up)."""
    return os.environ.get(STOCK_SETTING, "1").strip().lower() in ("0", "false", "off", "non")


def _wanted(patch: Patch, on_agent: bool) -> bool:
    return patch.on_agent == on_agent and not (patch.speed_up and stock()) and patch.applies()


def install() -> list[str]:
    """Install the process-wide patches (idempotent); returns the names installed."""
    installed = []
    for patch in PATCHES:
        if _wanted(patch, on_agent=False):
            importlib.import_module(patch.module).install()
            installed.append(patch.name)
    logger.info("Rasa patches installed: %s", ", ".join(installed) or "none (stock Rasa)")
    return installed


def install_on_agent(agent: Any) -> list[str]:
    """Install the patches that work on the served agent (idempotent)."""
    installed = []
    for patch in PATCHES:
        if _wanted(patch, on_agent=True):
            importlib.import_module(patch.module).install(agent)
            installed.append(patch.name)
    return installed
