"""Demo or production: the one switch every service reads, and the rule for its secrets.

Every service started without settings is in production mode: demo pages, demo accounts, the
movable clock and the weak demo keys exist only when ``CARPIMKO_DEMO=1`` asks for them
(``make run`` and the test stacks of :mod:`benchmarks.devstack` do). Outside demo mode a key or
secret must be set, at least :data:`MIN_SECRET_CHARS` characters long and never one of the
values published in this repository (:data:`DEMO_SECRETS`); otherwise the service refuses to
start with a French message naming the setting (:func:`refuse_to_start`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import NoReturn

DEMO_FLAG = "CARPIMKO_DEMO"
DEMO_SERVICE_KEY = "demo-service-key"
MIN_SECRET_CHARS = 32
DEMO_SECRETS = frozenset({DEMO_SERVICE_KEY, "demo", "secret", "changeme", "change-me"})
"""Values written in this repository (docs, tests, .env.example): known to everyone."""

_TRUE = {"1", "true", "yes", "on", "oui"}
_FALSE = {"0", "false", "no", "off", "non", ""}


class SettingError(ValueError):
    """A setting is missing or unsafe; the message (French) names it."""


def demo_mode(env: Mapping[str, str] | None = None) -> bool:
    """Whether ``CARPIMKO_DEMO`` explicitly asks for demo mode (absent = production)."""
    env = os.environ if env is None else env
    text = env.get(DEMO_FLAG, "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise SettingError(
        f"{DEMO_FLAG} doit valoir 1 (démonstration) ou 0 (production), reçu {text!r}"
    )


def strong_secret(name: str, value: str) -> str:
    """`value` if it can guard production: ≥ 32 characters, not a published demo value."""
    if not value:
        raise SettingError(
            f"{name} est obligatoire hors mode démonstration ({MIN_SECRET_CHARS} caractères "
            f"aléatoires au moins ; {DEMO_FLAG}=1 pour une démonstration locale)."
        )
    if len(value) < MIN_SECRET_CHARS or value.strip().lower() in DEMO_SECRETS:
        raise SettingError(
            f"{name} est trop faible : {MIN_SECRET_CHARS} caractères aléatoires au moins, "
            "jamais une valeur de démonstration."
        )
    return value


def secret_setting(
    env: Mapping[str, str], name: str, demo: bool, demo_default: str = DEMO_SERVICE_KEY
) -> str:
    """The secret `name` from `env`: in demo mode `demo_default` when unset, otherwise it must
    pass :func:`strong_secret`."""
    value = env.get(name, "")
    if demo:
        return value or demo_default
    return strong_secret(name, value)


def refuse_to_start(service: str, error: Exception) -> NoReturn:
    """Print why `service` does not start (French, on stderr) and exit with status 2."""
    print(f"{service} ne démarre pas : {error}", file=sys.stderr)
    raise SystemExit(2)


CORS_SETTING = "RASA_CORS_ORIGINS"


def allowed_origins(env: Mapping[str, str] | None = None) -> list[str]:
    """Origins whose pages may call Rasa from a browser (``RASA_CORS_ORIGINS``, space-separated:
    the site that embeds the widget); ``*`` only in demo mode. Empty: no other origin."""
    env = os.environ if env is None else env
    origins = env.get(CORS_SETTING, "").split()
    if "*" in origins and not demo_mode(env):
        raise SettingError(
            f"{CORS_SETTING}=* ouvre l'assistant à tous les sites : indiquez l'origine du site "
            "qui intègre le widget (ex. https://www.carpimko.com)."
        )
    return origins
