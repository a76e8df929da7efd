"""Slots copied by a plain attribute copy instead of the generic ``copy.copy`` protocol.

Every ``DialogueStateTracker`` Rasa builds copies each slot of the domain (``copy.copy`` in
its ``__init__``); the served model builds about seven trackers per user message (read from
the store, copies for predictions and actions) over the domain's slots, about 300 generic
copies per message (docs/benchmarks.md, session 6). For a ``Slot`` — a plain object with a
``__dict__``, no ``__slots__``, no pickling hooks — ``copy.copy`` goes through
``__reduce_ex__`` and ends with a new object whose ``__dict__`` is updated from the old one;
:func:`install` gives ``Slot`` a ``__copy__`` that does exactly that directly.
"""

from __future__ import annotations

from typing import Any

from rasa.shared.core.slots import Slot
from rasa.shared.utils.common import all_subclasses


def _copy(slot: Any) -> Any:
    """A new slot of the same class sharing the same attribute values (a shallow copy)."""
    new = object.__new__(type(slot))
    new.__dict__.update(slot.__dict__)
    return new


def _copyable(cls: type) -> bool:
    """The generic protocol would do what :func:`_copy` does for instances of ``cls``."""
    return "__slots__" not in vars(cls) and all(
        getattr(cls, name, None) is getattr(object, name, None)
        for name in ("__getstate__", "__setstate__", "__reduce_ex__", "__reduce__")
    )


def install() -> None:
    """Give ``Slot`` the direct shallow copy (idempotent; left alone if a slot class customises
    pickling or copying)."""
    if "__copy__" in vars(Slot):
        return
    classes = [Slot, *all_subclasses(Slot)]
    if all(_copyable(cls) and "__copy__" not in vars(cls) for cls in classes):
        Slot.__copy__ = _copy
