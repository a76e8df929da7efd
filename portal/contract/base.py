"""Base classes of the contract models and the one way a request is read through them.

A request field carries its French check (``portal.validation``) in ``Field(check=...)``: the
check runs first, on the raw value, so the member reads today's message; the JSON schema of the
same field (length, pattern, enum) is what the OpenAPI document publishes. An answer model
only has types: the client parses with it, the document describes with it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, Extra, Field, ValidationError, validator
from pydantic.error_wrappers import ErrorWrapper
from pydantic.errors import MissingError
from pydantic.fields import ModelField

from portal.errors import PortalError, ValidationFailed

Check = Callable[[Any, str], Any]
"""(raw value, field name) → clean value, or raise a French ``ValidationFailed``."""
M = TypeVar("M", bound="Contract")
_PRIVATE_KEYS = ("check", "json_schema")


def _publish(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """OpenAPI 3.0 spelling: ``nullable`` for optional values, no private keys; a model's
    description is its own docstring, not one inherited from these base classes."""
    if not model.__dict__.get("__doc__"):
        schema.pop("description", None)
    for field in model.__fields__.values():
        prop = schema.get("properties", {}).get(field.alias)
        if prop is None:
            continue
        override = field.field_info.extra.get("json_schema")
        if override is not None:
            prop.clear()
            prop.update(title=field.field_info.title or field.alias, **override)
        for key in _PRIVATE_KEYS:
            prop.pop(key, None)
        if field.allow_none:
            if "$ref" in prop or "allOf" in prop:
                ref = prop.pop("$ref", None)
                prop["allOf"] = prop.get("allOf") or [{"$ref": ref}]
            prop["nullable"] = True


class Contract(BaseModel):
    """What the portal and the assistant exchange: unknown keys are ignored, never kept."""

    class Config:
        extra = Extra.ignore
        schema_extra = staticmethod(_publish)


class Answer(Contract):
    """A JSON answer of the portal."""


class _Refused(ValueError):
    """Carries a field's French refusal through pydantic's error collection."""

    def __init__(self, error: PortalError) -> None:
        super().__init__(error.message)
        self.error = error


class Request(Contract):
    """A request body or query: each field's ``check`` runs before pydantic's own types."""

    @validator("*", pre=True)
    def _french_check(cls, value: Any, field: ModelField) -> Any:
        check: Check | None = field.field_info.extra.get("check")
        if check is None or (value is None and field.allow_none):
            return value
        try:
            return check(value, field.alias)
        except PortalError as error:
            raise _Refused(error) from error


def checked(check: Check, label: str, default: Any = ..., **schema: Any) -> Any:
    """A request field: its French check, its label (the schema's title) and JSON schema."""
    return Field(default, title=label, check=check, **schema)


def read(model: type[M], data: Mapping[str, Any]) -> M:
    """``model`` from ``data``, or the first refused field's French error (in field order)."""
    try:
        return model.parse_obj(dict(data))
    except ValidationError as error:
        raise _first_refusal(model, error) from error


def _first_refusal(model: type[Contract], error: ValidationError) -> PortalError:
    first = error.raw_errors[0]
    while not isinstance(first, ErrorWrapper):  # nested lists of a sub-model
        first = first[0]
    exc, name = first.exc, str(first.loc_tuple()[0])
    if isinstance(exc, _Refused):
        return exc.error
    field = model.__fields__.get(name)
    label = field.field_info.title if field is not None else name
    check: Check | None = field.field_info.extra.get("check") if field is not None else None
    if isinstance(exc, MissingError) and check is not None:
        try:
            check(None, name)  # the field's own « obligatoire » message
        except PortalError as refusal:
            return refusal
    if isinstance(exc, MissingError):
        return ValidationFailed(f"Le champ « {label} » est obligatoire.", field=name)
    return ValidationFailed(f"Le champ « {label} » n'est pas valide.", field=name)
