"""Validation of the action server's answers, built once and dispatched by event type.

Rasa 3.6 (``RemoteAction._validate_action_result``) checks every answer of the action server
with ``jsonschema.validate(result, schema)``, which first checks the large events schema itself
against the JSON-schema meta-schema, then builds a new validator: about 70 ms of CPU per
action call on this machine, on Rasa's event loop, so every other conversation waits
(docs/benchmarks.md: 60 % of the message path's time). A validator built once still tried each
event against the 23 alternatives of the schema's ``oneOf`` (1.8 ms per call). Every
alternative fixes ``event`` to its own constant, so exactly one can match: the one named by the
event. :func:`install` replaces Rasa's method by the same check, the envelope without the
``oneOf`` plus each event against its own alternative: same schema, same accepted and refused
answers; a refused answer is re-checked by the whole schema so that the error
(``jsonschema.ValidationError`` with Rasa's message) is Rasa's own.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@dataclass(frozen=True)
class _Validators:
    whole: Any
    """The schema as Rasa has it (used for the error of a refused answer)."""
    envelope: Any | None
    """The schema without the events' ``oneOf``; None when it can't be split by event type."""
    by_event: dict[str, Any]
    """Per event type, its ``oneOf`` alternative."""


@lru_cache(maxsize=1)
def _validators() -> _Validators:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    whole = cls(schema)
    items = schema.get("properties", {}).get("events", {}).get("items", {})
    alternatives = items.get("oneOf") or []
    names = [a.get("properties", {}).get("event", {}).get("const") for a in alternatives]
    if (
        not alternatives
        or not all(isinstance(n, str) for n in names)
        or len(set(names)) < len(names)
    ):
        return _Validators(whole, None, {})  # not one alternative per event type: no shortcut
    envelope = copy.deepcopy(schema)
    del envelope["properties"]["events"]["items"]["oneOf"]
    return _Validators(
        whole,
        cls(envelope),
        {name: cls(alt) for name, alt in zip(names, alternatives, strict=True)},
    )


def _is_valid(validators: _Validators, result: Any) -> bool:
    if validators.envelope is None:
        return bool(validators.whole.is_valid(result))
    if not validators.envelope.is_valid(result):
        return False
    events = result.get("events") if isinstance(result, dict) else None
    if not isinstance(events, list):
        return True  # absent: nothing to check; another type was refused by the envelope
    for event in events:
        alternative = validators.by_event.get(event.get("event"))
        if alternative is None or not alternative.is_valid(event):
            return False
    return True


def validate_action_result(_: Any, result: dict[str, Any]) -> bool:
    """Rasa's check of an action server answer (``RemoteAction._validate_action_result``)."""
    validators = _validators()
    if _is_valid(validators, result):
        return True
    error: ValidationError | None = best_match(validators.whole.iter_errors(result))
    if error is None:  # cannot happen when both agree; the whole schema has the last word
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
