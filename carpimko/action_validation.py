"""Validation of the action server's answers with a JSON-schema validator built once.

Rasa 3.6 (``RemoteAction._validate_action_result``) checks every answer of the action server
with ``jsonschema.validate(result, schema)``, which first checks the large events schema itself
against the JSON-schema meta-schema, then builds a new validator: about 70 ms of CPU per
action call on this machine, on Rasa's event loop, so every other conversation waits
(docs/benchmarks.md: 60 % of the message path's time). :func:`install` replaces that method by
the same validation with a validator built and checked once: same schema, same accepted and
refused answers, same error (``jsonschema.ValidationError`` with Rasa's message).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(_: Any, result: dict[str, Any]) -> bool:
    """Rasa's check of an action server answer (``RemoteAction._validate_action_result``)."""
    error: ValidationError | None = best_match(_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    """Use :func:`validate_action_result` for every remote action (idempotent)."""
    RemoteAction._validate_action_result = validate_action_result
