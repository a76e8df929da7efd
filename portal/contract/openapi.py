"""The OpenAPI 3.0 document of the portal, generated from the route table and the models.

Nothing here is written twice: bodies and answers are the models' ``schema()``, the
operations come from :data:`portal.contract.routes.ROUTES`.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from pydantic import BaseModel
from pydantic.schema import schema as pydantic_schema

from portal.contract.routes import FORM, HTML, JSON, MULTIPART, PDF, ROUTES, Route
from portal.contract.support import Error

Schema = dict[str, Any]
VERSION = "1.0.0"
REF = "#/components/schemas/"
TAGS = (
    "Service",
    "Contact",
    "Mot de passe",
    "Session",
    "Mon dossier",
    "Documents",
    "Messagerie",
    "Démarches",
    "Support",
    "Pages",
    "Démo",
)
ERRORS = {
    400: "Corps de requête mal formé",
    401: "Session ou clé de service absente, invalide ou expirée",
    403: "Mot de passe provisoire : première connexion à terminer",
    404: "Introuvable (ou appartenant à un autre dossier)",
    409: "Déjà traité",
    410: "Lien, code ou demande expiré, déjà utilisé ou remplacé",
    413: "Requête ou fichier trop volumineux",
    415: "Format de fichier non accepté (PDF, JPG, JPEG, PNG)",
    422: "Données invalides (message en français, champ en cause dans `field`)",
    429: "Trop de tentatives (en-tête Retry-After)",
}
SECURITY: dict[str, list[Schema]] = {
    "public": [],
    "session": [{"session": []}, {"session": [], "serviceKey": []}],
    "service": [{"serviceKey": []}],
}
_HEX_ID: Schema = {"type": "string", "pattern": "^[0-9a-f]{32}$"}
PATH_PARAMETERS: dict[str, Schema] = {
    "reset_id": _HEX_ID,
    "document_id": _HEX_ID,
    "change_id": _HEX_ID,
    "upload_id": _HEX_ID,
    "token": {"type": "string", "maxLength": 200},
    "ticket_id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    "letter_id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
}
_NON_JSON: dict[str, Schema] = {
    PDF: {"type": "string", "format": "binary"},
    HTML: {"type": "string"},
    JSON: {"type": "object"},
}


def routes(demo_mode: bool) -> list[Route]:
    """The routes this portal serves (the demo ones only in demo mode)."""
    return [route for route in ROUTES if demo_mode or not route.demo]


def document(public_url: str, demo_mode: bool) -> Schema:
    served = routes(demo_mode)
    models: set[type[BaseModel]] = {Error}
    for route in served:
        models |= {m for m in (route.body, route.answer) if m is not None}
    paths: dict[str, dict[str, Schema]] = {}
    for route in served:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    definitions = pydantic_schema(sorted(models, key=lambda m: m.__name__), ref_prefix=REF)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "CARPIMKO – Espace Personnel (portail de référence)",
            "version": VERSION,
            "description": "API de l'Espace Personnel contre laquelle l'assistant est "
            'développé et testé. Erreurs : `{"error": {"code", "message"}}` '
            "avec un message en français. Voir docs/portal.md.",
        },
        "servers": [{"url": public_url}],
        "tags": [{"name": tag} for tag in TAGS],
        "paths": paths,
        "components": {
            "schemas": definitions["definitions"],
            "securitySchemes": {
                "session": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "Jeton de session (POST /api/v1/sessions), 15 min",
                },
                "serviceKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Service-Key",
                    "description": "Clé du serveur d'actions et de la console",
                },
            },
        },
    }


def _operation(route: Route) -> Schema:
    operation: Schema = {
        "summary": route.summary,
        "tags": [route.tag],
        "security": SECURITY[route.security],
        "responses": _responses(route),
    }
    if route.description:
        operation["description"] = route.description
    parameters = _path_parameters(route.path) + _query_parameters(route.query)
    if parameters:
        operation["parameters"] = parameters
    if route.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {
                media: {"schema": _body_schema(route, media)} for media in route.body_media
            },
        }
    return operation


def _content(media: str, schema: Schema) -> Schema:
    return {media: {"schema": schema}}


def _responses(route: Route) -> Schema:
    if route.status == 204:
        success: Schema = {"description": "Succès"}
    else:
        schema = {"$ref": REF + route.answer.__name__} if route.answer else _NON_JSON[route.media]
        success = {"description": "Succès", "content": _content(route.media, schema)}
    error = {"$ref": REF + "Error"} if route.error_media == JSON else _NON_JSON[route.error_media]
    responses: Schema = {str(route.status): success}
    for status in route.errors:
        responses[str(status)] = {
            "description": ERRORS[status],
            "content": _content(route.error_media, error),
        }
    responses["default"] = {
        "description": "Autre erreur",
        "content": _content(route.error_media, error),
    }
    return responses


def _path_parameters(path: str) -> list[Schema]:
    return [
        {"name": name, "in": "path", "required": True, "schema": PATH_PARAMETERS[name]}
        for name in re.findall(r"{(\w+)}", path)
    ]


def _query_parameters(model: type[BaseModel] | None) -> list[Schema]:
    if model is None:
        return []
    schema = model.schema()
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema["properties"].items():
        prop = {k: v for k, v in prop.items() if k not in ("title", "nullable", "default")}
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": name in required,
                "schema": prop,
                "description": model.__fields__[_field_name(model, name)].field_info.title or "",
            }
        )
    return parameters


def _field_name(model: type[BaseModel], alias: str) -> str:
    return next(name for name, field in model.__fields__.items() if field.alias == alias)


def _body_schema(route: Route, media: str) -> Schema:
    """The body model by reference; a form is inlined, with its file part when it has one."""
    assert route.body is not None
    if media == JSON:
        return {"$ref": REF + route.body.__name__}
    schema = copy.deepcopy(route.body.schema())
    schema.pop("title", None)
    schema.pop("description", None)
    schema.setdefault("properties", {})
    if media == MULTIPART and route.file_field:
        schema["properties"][route.file_field] = {
            "type": "string",
            "format": "binary",
            "description": "PDF, JPG, JPEG ou PNG",
        }
        if route.file_required:
            schema["required"] = [*schema.get("required", ()), route.file_field]
    assert media in (MULTIPART, FORM)
    return schema
