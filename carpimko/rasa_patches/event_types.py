"""Event classes found by their type name in a table, not by a walk of the class tree.

Rasa 3.6 (``Event.resolve_by_type``) walks every subclass of ``Event`` to turn each stored or
received event back into an object: about 40 class visits per event, for every event of the
conversation read from the tracker store at each message and every event an action returns
(2.5 ms per message on this machine, docs/benchmarks.md). :func:`install` puts a table in
front of that walk: a name seen once is answered from the table; an unknown name (or one of a
class defined later) goes to Rasa's own method, so ``topic``, defaults and errors are Rasa's.
"""

from __future__ import annotations

from typing import Any

from rasa.shared.core.events import Event

_ORIGINAL = Event.__dict__["resolve_by_type"].__func__
_TABLE: dict[str, type[Event]] = {}


def resolve_by_type(type_name: str, default: type[Event] | None = None) -> Any:
    """``Event.resolve_by_type`` with the classes already found kept by name."""
    found = _TABLE.get(type_name)
    if found is not None:
        return found
    result = _ORIGINAL(type_name, default)
    if result is not None and result is not default and result.type_name == type_name:
        _TABLE[type_name] = result
    return result


def install() -> None:
    """Use :func:`resolve_by_type` for every event read or received (idempotent)."""
    Event.resolve_by_type = staticmethod(resolve_by_type)
