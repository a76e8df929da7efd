"""Request helpers shared by the blueprints: resources, auth, errors, JSON."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from argon2 import PasswordHasher
from sanic import Request
from sanic.exceptions import SanicException
from sanic.response import HTTPResponse
from sanic.response import json as sanic_json
from sqlalchemy.engine import Engine

from portal import validation
from portal.config import RateLimit, Settings
from portal.contract.base import Request as RequestModel
from portal.contract.base import read
from portal.contract.routes import Route
from portal.db import run_db
from portal.errors import Forbidden, PortalError, Unauthorized
from portal.ratelimit import RateLimiter
from portal.security import SessionClaims, constant_time_equals, read_session
from portal.timeutil import Clock

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R", bound=RequestModel)
dumps = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Resources:
    """What the handlers share, opened when the server starts."""

    settings: Settings
    clock: Clock
    engine: Engine
    executor: ThreadPoolExecutor
    limiter: RateLimiter
    hasher: PasswordHasher


def resources(request: Request) -> Resources:
    res: Resources = request.app.ctx.resources
    return res


def now(request: Request) -> datetime:
    return resources(request).clock()


async def db(request: Request, fn: Callable[..., T], *args: Any, write: bool = True) -> T:
    res = resources(request)
    return await run_db(res.engine, res.executor, fn, *args, write=write)


def query(request: Request, name: str) -> str | None:
    """A query parameter; present but empty is "" (and then refused), not absent."""
    value: str | None = request.get_args(keep_blank_values=True).get(name)
    return value


def body(request: Request, route: Route[R, Any]) -> R:
    """The JSON body read through its route's contract model (first refused field, in
    French): the model the OpenAPI document publishes for this route."""
    assert route.body is not None, f"{route.path} takes no body"
    return read(route.body, validation.json_object(request.body))


def queries(request: Request, route: Route[Any, Any], model: type[R]) -> R:
    """The query parameters read through their contract model (the route's, checked)."""
    assert route.query is model, f"{route.path} documents {route.query}"
    aliases = (field.alias for field in model.__fields__.values())
    present = {name: value for name in aliases if (value := query(request, name)) is not None}
    return read(model, present)


def reply(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> HTTPResponse:
    return sanic_json(data, status=status, headers=headers, dumps=dumps)


def has_service_key(request: Request) -> bool:
    """True with a valid X-Service-Key; a wrong key is refused outright."""
    key = request.headers.get("x-service-key")
    if key is None:
        return False
    if not constant_time_equals(key, resources(request).settings.service_key):
        raise Unauthorized("Clé de service invalide.", code="cle_service_invalide")
    return True


def require_service(request: Request) -> None:
    if not has_service_key(request):
        raise Unauthorized(
            "Cette opération est réservée aux services de la CARPIMKO (en-tête X-Service-Key).",
            code="cle_service_requise",
        )


def client_key(request: Request) -> str:
    """The end user's address: forwarded by a trusted service, else the socket peer."""
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded and has_service_key(request):
        return forwarded.split(",")[0].strip()[:64]
    return request.ip or "inconnu"


def session_claims(request: Request, *, allow_password_change: bool = False) -> SessionClaims:
    """The caller's session; a temporary-password session only reaches first login."""
    has_service_key(request)
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            "Veuillez vous connecter à votre Espace Personnel (en-tête Authorization: Bearer).",
            code="session_requise",
        )
    claims = read_session(resources(request).settings, token.strip(), now(request))
    if claims.must_change_password and not allow_password_change:
        raise Forbidden(
            "Vous vous êtes connecté avec un mot de passe provisoire : choisissez d'abord "
            "votre mot de passe personnel et confirmez votre adresse e-mail.",
            code="changement_mot_de_passe_requis",
        )
    return claims


def limit(request: Request, key: str, rule: RateLimit, message: str) -> None:
    resources(request).limiter.hit(key, rule, message)


_SANIC_MESSAGES = {
    400: ("requete_invalide", "La requête est mal formée."),
    404: ("introuvable", "Cette adresse n'existe pas."),
    405: ("methode_non_autorisee", "Cette méthode n'est pas autorisée sur cette adresse."),
    408: ("delai_depasse", "La requête a pris trop de temps."),
    413: ("requete_trop_volumineuse", "La requête est trop volumineuse."),
    416: ("plage_invalide", "La plage demandée n'est pas disponible."),
}


async def handle_error(request: Request, exception: Exception) -> HTTPResponse:
    """Every error becomes `{"error": {"code", "message"}}` in French, never a trace."""
    if isinstance(exception, PortalError):
        return reply(exception.payload(), exception.status, exception.headers)
    if isinstance(exception, SanicException):
        status = int(getattr(exception, "status_code", 500) or 500)
        if status < 500:
            code, message = _SANIC_MESSAGES.get(status, ("requete_invalide", "Requête refusée."))
            if status == 413:
                settings: Settings = request.app.ctx.settings
                limit_mb = settings.request_max_size / (1024 * 1024)
                message = f"La requête dépasse la taille maximale acceptée ({limit_mb:.1f} Mo)."
            headers = {k: str(v) for k, v in (getattr(exception, "headers", None) or {}).items()}
            return reply({"error": {"code": code, "message": message}}, status, headers)
    log.error("unexpected error on %s %s", request.method, request.path, exc_info=exception)
    return reply(
        {
            "error": {
                "code": "erreur_interne",
                "message": "Une erreur interne est survenue. Veuillez réessayer plus tard.",
            }
        },
        500,
    )
