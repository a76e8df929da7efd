"""Errors that map to a JSON answer with a French message.

Raising one inside a unit of work rolls the transaction back, which is how
every 4xx leaves the database untouched.
"""

from __future__ import annotations

from typing import Any


class PortalError(Exception):
    """An error the client caused or may act upon."""

    status = 400
    code = "requete_invalide"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.headers = headers or {}
        if code:
            self.code = code

    def payload(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            error["field"] = self.field
        return {"error": error}


class BadRequest(PortalError):
    status = 400
    code = "requete_invalide"


class Unauthorized(PortalError):
    status = 401
    code = "non_authentifie"


class Forbidden(PortalError):
    status = 403
    code = "acces_refuse"


class NotFound(PortalError):
    status = 404
    code = "introuvable"


class Conflict(PortalError):
    status = 409
    code = "conflit"


class Gone(PortalError):
    status = 410
    code = "expire"


class PayloadTooLarge(PortalError):
    status = 413
    code = "fichier_trop_volumineux"


class UnsupportedMediaType(PortalError):
    status = 415
    code = "format_non_accepte"


class ValidationFailed(PortalError):
    status = 422
    code = "donnees_invalides"


class TooManyRequests(PortalError):
    status = 429
    code = "trop_de_tentatives"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body = super().payload()
        body["error"]["retry_after"] = self.retry_after
        return body
