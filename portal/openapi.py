"""OpenAPI 3.0 description of the portal, served at /openapi.json.

Written by hand next to the handlers so that it says exactly what they accept
and answer (it is fuzzed with schemathesis); a test checks that every route
is described.
"""

from __future__ import annotations

from typing import Any

from portal.services.documents import DOCUMENT_KINDS

Schema = dict[str, Any]
VERSION = "1.0.0"


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _string(**extra: Any) -> Schema:
    return {"type": "string", **extra}


def _int(**extra: Any) -> Schema:
    return {"type": "integer", **extra}


def _nullable(schema: Schema) -> Schema:
    return {**schema, "nullable": True}


def _object(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    schema["required"] = list(properties) if required is None else required
    return schema


def _array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def _list_of(key: str, item: str) -> Schema:
    return _object({key: _array(_ref(item)), "count": _int(minimum=0)})


def _text(max_length: int, multiline: bool = False) -> Schema:
    """A required text: not blank, no control characters (newlines only if multiline)."""
    allowed = (
        r"[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]"
        if multiline
        else (r"[^\u0000-\u001f\u007f]")
    )
    return _string(minLength=1, maxLength=max_length, pattern=rf"^{allowed}*\S{allowed}*$")


def _dossier_with(profile_key: str, extra: dict[str, Schema]) -> Schema:
    """Profile and numéro de dossier (7 or 9 digits with either profile: the record decides)."""
    return _object({profile_key: PROFILE, "dossier_number": DOSSIER, **extra})


MONTH = _string(pattern=r"^(19|2[01])\d\d-(0[1-9]|1[0-2])$", example="2024-01")
DATE = _string(format="date")
DATETIME = _string(format="date-time")
DOSSIER = _string(
    pattern=r"^\d{7}(\d{2})?$",
    example="1234567",
    description="7 ou 9 chiffres, quel que soit le profil : le dossier décide",
)
PROFILE = _string(enum=["affilie", "ayant_droit"])
NEW_PASSWORD = _string(
    minLength=8, maxLength=128, description="au moins une minuscule, une majuscule et un chiffre"
)
_LETTERS = "A-Za-zÀ-ÖØ-öø-ÿ"
CHANNELS = ["web", "ivr", "rest", "console"]
NOTE = _nullable(
    _string(maxLength=4000, pattern=r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$")
)
HOLDER = rf"^[{_LETTERS}' .-]*[{_LETTERS}][{_LETTERS}' .-]*$"
SERVICES = [
    "invalidite_deces",
    "cotisations",
    "retraite",
    "action_sociale",
    "prestations",
    "relations_affilies",
]
ADDRESS = _object(
    {
        "line1": _string(),
        "line2": _nullable(_string()),
        "postal_code": _string(),
        "city": _string(),
        "country": _string(pattern="^[A-Z]{2}$"),
    }
)
PROCEDURE_FILED = _object(
    {
        "reference": _string(),
        "status": _string(enum=["en_cours"]),
        "service": _string(enum=["invalidite_deces"]),
        "service_label": _string(),
    }
)

SCHEMAS: dict[str, Schema] = {
    "Error": _object(
        {
            "error": _object(
                {
                    "code": _string(),
                    "message": _string(description="message en français"),
                    "field": _string(),
                    "retry_after": _int(description="secondes (réponses 429)"),
                },
                ["code", "message"],
            )
        }
    ),
    "Health": _object({"status": _string(enum=["ok", "error"]), "database": _string()}),
    "Contact": _object(
        {
            "phone": _string(),
            "phone_e164": _string(),
            "opening_hours": _object(
                {
                    "timezone": _string(),
                    "days": _array(_string()),
                    "opens": _string(),
                    "closes": _string(),
                    "closed_on_public_holidays": {"type": "boolean"},
                    "text": _string(),
                }
            ),
            "postal_address": _object(
                {
                    "name": _string(),
                    "line1": _string(),
                    "postal_code": _string(),
                    "city": _string(),
                    "country": _string(),
                }
            ),
            "website": _string(),
            "secure_messaging": _string(),
            "at": DATETIME,
            "open_now": {"type": "boolean"},
            "closes_at": _nullable(DATETIME),
            "next_opening": DATETIME,
        }
    ),
    "ResetStart": _dossier_with("profile", {}),
    "ResetStarted": _object(
        {
            "reset_id": _string(pattern="^[0-9a-f]{32}$"),
            "channels": _array(_string(enum=["email", "courrier"])),
            "masked_email": _nullable(_string(example="j****dy@c*****.com")),
            "email_warning": _nullable(_string()),
            "choice_expires_at": DATETIME,
            "pending": _nullable(_string(enum=["courrier", "email"])),
        }
    ),
    "IdentityCheck": _dossier_with("profile", {"postal_code": _string(pattern=r"^\d{5}$")}),
    "IdentityVerified": _object({"verified": {"type": "boolean", "enum": [True]}}),
    "ClockSet": _object({"now": DATETIME}),
    "ResetDelivery": _object({"channel": _string(enum=["email", "courrier"])}),
    "ResetDelivered": _object(
        {
            "channel": _string(enum=["email", "courrier"]),
            "masked_email": _string(),
            "expires_at": DATETIME,
            "expected_delivery_date": DATE,
            "temporary_password_expires_at": DATETIME,
        },
        ["channel"],
    ),
    "ResetComplete": _object(
        {
            "token": _string(minLength=1, maxLength=200),
            "dossier_number": DOSSIER,
            "new_password": NEW_PASSWORD,
            "new_password_confirmation": NEW_PASSWORD,
        }
    ),
    "StatusMessage": _object({"status": _string(), "message": _string()}),
    "Login": _dossier_with("profile", {"password": _string(minLength=1, maxLength=128)}),
    "Session": _object(
        {
            "token": _string(),
            "token_type": _string(enum=["Bearer"]),
            "expires_at": DATETIME,
            "must_change_password": {"type": "boolean"},
            "dossier_number": DOSSIER,
            "profile": PROFILE,
        }
    ),
    "FirstLogin": _object(
        {
            "new_password": NEW_PASSWORD,
            "new_password_confirmation": NEW_PASSWORD,
            "email": _string(format="email", maxLength=254),
            "accept_terms": {"type": "boolean", "enum": [True]},
        }
    ),
    "FirstLoginDone": {
        "allOf": [
            _ref("Session"),
            _object({"email_verification_sent": {"type": "boolean"}, "masked_email": _string()}),
        ]
    },
    "Me": _object(
        {
            "dossier_number": DOSSIER,
            "profile": PROFILE,
            "civility": _string(),
            "first_name": _string(),
            "last_name": _string(),
            "profession": _nullable(_string()),
            "email": _nullable(_string()),
            "email_masked": _nullable(_string()),
            "email_verified": {"type": "boolean"},
            "address": ADDRESS,
            "bank": _object(
                {
                    "iban": _string(),
                    "iban_masked": _string(),
                    "bic": _string(),
                    "holder_name": _string(),
                }
            ),
            "benefit": _nullable(
                _object({"type": _string(), "label": _string(), "since": _nullable(DATE)})
            ),
        }
    ),
    "Payment": _object(
        {
            "period": MONTH,
            "paid_on": DATE,
            "benefit": _string(),
            "benefit_label": _string(),
            "gross_cents": _int(),
            "csg_deductible_cents": _int(),
            "csg_non_deductible_cents": _int(),
            "crds_cents": _int(),
            "casa_cents": _int(),
            "net_cents": _int(),
        }
    ),
    "Payments": _object(
        {
            "from": _nullable(MONTH),
            "to": _nullable(MONTH),
            "payments": _array(_ref("Payment")),
            "totals": _object(
                {
                    k: _int()
                    for k in (
                        "gross_cents",
                        "csg_deductible_cents",
                        "csg_non_deductible_cents",
                        "crds_cents",
                        "casa_cents",
                        "net_cents",
                    )
                }
            ),
            "count": _int(minimum=0),
        }
    ),
    "AttestationRequest": _object(
        {
            "type": _string(enum=["paiement_invalidite_deces", "versement_contributions"]),
            "period_start": MONTH,
            "period_end": MONTH,
        }
    ),
    "Document": _object(
        {
            "document_id": _string(),
            "title": _string(),
            "year": _int(),
            "kind": _string(enum=list(DOCUMENT_KINDS)),
            "period_start": _nullable(MONTH),
            "period_end": _nullable(MONTH),
            "created_at": DATETIME,
            "download_url": _string(format="uri"),
            "expires_at": DATETIME,
        }
    ),
    "Attestation": {
        "allOf": [
            _ref("Document"),
            _object(
                {"payments_count": _int(), "total_gross_cents": _int(), "total_net_cents": _int()}
            ),
        ]
    },
    "Documents": _list_of("documents", "Document"),
    "Message": _object(
        {
            "id": _string(),
            "reference": _string(),
            "direction": _string(enum=["entrant", "sortant"]),
            "service": _string(),
            "service_label": _string(),
            "subject": _string(),
            "body": _string(),
            "status": _string(),
            "attachment": _nullable(
                _object({"name": _string(), "content_type": _string(), "size": _int()})
            ),
            "created_at": DATETIME,
        }
    ),
    "Messages": _list_of("messages", "Message"),
    "MessageForm": _object(
        {
            "service": _string(enum=SERVICES),
            "subject": _text(200),
            "body": _text(5000, multiline=True),
            "file": _string(format="binary", description="PDF, JPG, JPEG ou PNG"),
        },
        ["service", "subject", "body"],
    ),
    "MessageJson": _object(
        {
            "service": _string(enum=SERVICES),
            "subject": _text(200),
            "body": _text(5000, multiline=True),
            "upload_id": _string(
                pattern="^[0-9a-f]{32}$", description="Fichier envoyé avant (POST /uploads)"
            ),
        },
        ["service", "subject", "body"],
    ),
    "SickLeaveJson": _object(
        {
            "upload_id": _string(
                pattern="^[0-9a-f]{32}$", description="Fichier envoyé avant (POST /uploads)"
            ),
            "comment": _string(
                maxLength=2000, pattern=r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$"
            ),
        },
        ["upload_id"],
    ),
    "UploadForm": _object(
        {"file": _string(format="binary", description="PDF, JPG, JPEG ou PNG")}, ["file"]
    ),
    "Upload": _object(
        {
            "upload_id": _string(pattern="^[0-9a-f]{32}$"),
            "name": _string(),
            "content_type": _string(enum=["application/pdf", "image/jpeg", "image/png"]),
            "size": _int(minimum=1),
            "expires_at": DATETIME,
            "used": {"type": "boolean"},
        }
    ),
    "SickLeaveForm": _object(
        {
            "file": _string(format="binary", description="PDF, JPG, JPEG ou PNG"),
            "comment": _string(
                maxLength=2000, pattern=r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$"
            ),
        },
        ["file"],
    ),
    "RibChangeRequest": _object(
        {
            "iban": _string(minLength=15, maxLength=50, pattern="^[A-Za-z0-9 ]+$"),
            "bic": _string(pattern="^[A-Za-z0-9]{8}([A-Za-z0-9]{3})?$"),
            "holder_name": _string(minLength=2, maxLength=70, pattern=HOLDER),
        }
    ),
    "RibChange": _object(
        {
            "change_id": _string(),
            "masked_iban": _string(),
            "bic": _string(),
            "holder_name": _string(),
            "code_sent_to": _string(enum=["email", "courrier"]),
            "expires_at": DATETIME,
            "masked_email": _nullable(_string()),
            "expected_delivery_date": _nullable(DATE),
        }
    ),
    "RibCheckRequest": _object(
        {"iban": _string(minLength=15, maxLength=50, pattern="^[A-Za-z0-9 ]+$")}
    ),
    "RibCheck": _object({"same_as_current": {"type": "boolean"}}),
    "RibConfirm": _object({"code": _string(pattern=r"^\d{6}$")}),
    "RibConfirmed": _object(
        {
            "change_id": _string(),
            "status": _string(enum=["effectue"]),
            "masked_iban": _string(),
            "effective_at": DATETIME,
            "reference": _string(),
            "service_label": _string(),
            "notification_channel": _string(enum=["email", "courrier"]),
        }
    ),
    "AddressRequest": _object(
        {
            "line1": _text(120),
            "line2": _nullable(_string(maxLength=120)),
            "postal_code": _text(16),
            "city": _text(80),
            "country": _string(pattern="^[A-Za-z]{2}$", default="FR"),
        },
        ["line1", "postal_code", "city"],
    ),
    "AddressChanged": _object(
        {
            "status": _string(enum=["effectue"]),
            "reference": _string(),
            "address": ADDRESS,
            "notification_channel": _string(enum=["email", "courrier"]),
        }
    ),
    "EmailChangeRequest": _object({"email": _string(format="email", maxLength=254)}),
    "EmailChange": _object(
        {
            "status": _string(enum=["verification_envoyee"]),
            "masked_email": _string(),
            "expires_at": DATETIME,
            "warning": _nullable(_string(enum=["accountant", "third_party"])),
            "warning_message": _nullable(_string()),
        }
    ),
    "EmailVerified": _object(
        {"status": _string(enum=["adresse_confirmee"]), "masked_email": _string()}
    ),
    "AdultChildRequest": _object(
        {
            "child_first_name": _text(80),
            "child_birth_date": DATE,
            "situation": _string(enum=["etudes", "apprentissage", "recherche_emploi", "handicap"]),
        }
    ),
    "AdultChildFiled": {
        "allOf": [PROCEDURE_FILED, _object({"documents_to_send": _array(_string())})]
    },
    "WorkResumptionRequest": _object(
        {"resume_type": _string(enum=["temps_complet", "therapeutique"]), "date": DATE}
    ),
    "WorkResumptionFiled": {
        "allOf": [
            PROCEDURE_FILED,
            _object(
                {
                    "resume_type": _string(enum=["temps_complet", "therapeutique"]),
                    "date": DATE,
                    "message": _string(),
                }
            ),
        ]
    },
    "HandoffRequest": _object(
        {
            "conversation_id": _text(128),
            "channel": _string(enum=CHANNELS),
            "summary": NOTE,
            "dossier_number": _nullable(DOSSIER),
        },
        ["conversation_id", "channel"],
    ),
    "CallbackRequest": _object(
        {
            "conversation_id": _text(128),
            "phone": _text(30),
            "preferred_slot": _nullable(
                _string(format="date-time", description="dans les heures d'ouverture")
            ),
            "channel": _nullable(_string(enum=[*CHANNELS, None])),
            "summary": NOTE,
            "dossier_number": _nullable(DOSSIER),
        },
        ["conversation_id", "phone"],
    ),
    "Ticket": _object(
        {
            "ticket_id": _int(),
            "reference": _string(),
            "kind": _string(enum=["handoff", "callback"]),
            "conversation_id": _string(),
            "channel": _nullable(_string()),
            "summary": _nullable(_string()),
            "dossier_number": _nullable(DOSSIER),
            "phone": _nullable(_string()),
            "preferred_slot": _nullable(DATETIME),
            "status": _string(enum=["open", "closed"]),
            "created_at": DATETIME,
            "closed_at": _nullable(DATETIME),
        }
    ),
    "Tickets": _list_of("tickets", "Ticket"),
    "OutboxMessage": _object(
        {
            "id": _int(),
            "dossier_number": _nullable(DOSSIER),
            "kind": _string(enum=["email", "courrier"]),
            "recipient": _string(),
            "subject": _string(),
            "body": _string(),
            "link": _nullable(_string()),
            "status": _string(),
            "expected_delivery_date": _nullable(DATE),
            "created_at": DATETIME,
        }
    ),
    "Outbox": _list_of("messages", "OutboxMessage"),
}

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
SESSION: list[Schema] = [{"session": []}, {"session": [], "serviceKey": []}]
SERVICE: list[Schema] = [{"serviceKey": []}]


def _json(schema: Schema) -> Schema:
    return {"application/json": {"schema": schema}}


def _no_content(operation: Schema, description: str) -> Schema:
    """`operation` whose success (204) has no body."""
    operation["responses"]["204"] = {"description": description}
    return operation


def _op(
    summary: str,
    tag: str,
    ok: int,
    ok_schema: Schema | str | None,
    errors: tuple[int, ...],
    *,
    body: str | None = None,
    security: list[Schema] | None = None,
    params: list[Schema] | None = None,
    content: Schema | None = None,
    description: str | None = None,
) -> Schema:
    if isinstance(ok_schema, str):
        ok_schema = _ref(ok_schema)
    responses: Schema = {
        str(ok): {"description": "Succès", "content": content or _json(ok_schema or {})}
    }
    for status in errors:
        responses[str(status)] = {"description": ERRORS[status], "content": _json(_ref("Error"))}
    responses["default"] = {"description": "Autre erreur", "content": _json(_ref("Error"))}
    operation: Schema = {
        "summary": summary,
        "tags": [tag],
        "responses": responses,
        "security": security if security is not None else [],
    }
    if description:
        operation["description"] = description
    if body:
        operation["requestBody"] = {"required": True, "content": _json(_ref(body))}
    if params:
        operation["parameters"] = params
    return operation


def _path_param(name: str, schema: Schema) -> Schema:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _query(name: str, schema: Schema, description: str = "") -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _multipart(name: str) -> Schema:
    return {
        "required": True,
        "content": {
            "multipart/form-data": {"schema": _ref(name)},
        },
    }


HEX_ID = _string(pattern="^[0-9a-f]{32}$")
AUTH = (401, 403)


def _paths(demo_mode: bool) -> dict[str, Any]:
    send_message = _op(
        "Écrire à un service (messagerie sécurisée)",
        "Messagerie",
        201,
        "Message",
        (400, *AUTH, 404, 410, 413, 415, 422),
        security=SESSION,
    )
    send_message["requestBody"] = {
        "required": True,
        "content": {
            "multipart/form-data": {"schema": _ref("MessageForm")},
            "application/json": {"schema": _ref("MessageJson")},
        },
    }
    sick_leave = _op(
        "Envoyer une prolongation d'arrêt de travail (service Invalidité-Décès)",
        "Messagerie",
        201,
        "Message",
        (400, *AUTH, 404, 410, 413, 415, 422),
        security=SESSION,
    )
    sick_leave["requestBody"] = {
        "required": True,
        "content": {
            "multipart/form-data": {"schema": _ref("SickLeaveForm")},
            "application/json": {"schema": _ref("SickLeaveJson")},
        },
    }
    upload = _op(
        "Déposer un fichier avant de l'envoyer (assistant : seul l'identifiant circule)",
        "Messagerie",
        201,
        "Upload",
        (400, *AUTH, 413, 415, 422),
        security=SESSION,
    )
    upload["requestBody"] = _multipart("UploadForm")
    paths: dict[str, Any] = {
        "/health": {
            "get": _op(
                "État du service et de la base",
                "Service",
                200,
                "Health",
                (),
            )
        },
        "/openapi.json": {
            "get": _op("Cette description OpenAPI", "Service", 200, {"type": "object"}, ())
        },
        "/api/v1/contact": {
            "get": _op(
                "Coordonnées et horaires d'ouverture",
                "Contact",
                200,
                "Contact",
                (422,),
                params=[
                    _query(
                        "at",
                        _string(format="date-time", pattern=r"^(19|2[01])\d\d-"),
                        "instant de référence (par défaut : maintenant)",
                    )
                ],
            )
        },
        "/api/v1/password-resets": {
            "post": _op(
                "Mot de passe oublié / première connexion : étape 1",
                "Mot de passe",
                201,
                "ResetStarted",
                (400, 404, 422, 429),
                body="ResetStart",
                description="Limité par dossier et par client (429 + Retry-After).",
            )
        },
        "/api/v1/identity-checks": {
            "post": _op(
                "Vérification d'identité au téléphone : numéro de dossier et code postal",
                "Mot de passe",
                200,
                "IdentityVerified",
                (400, 401, 404, 422, 429),
                body="IdentityCheck",
                security=SERVICE,
                description="Même réponse 404 que le dossier ou le code postal soit faux. "
                "Limité par dossier et par client (429 + Retry-After).",
            )
        },
        "/api/v1/password-resets/{reset_id}/delivery": {
            "post": _op(
                "Étape 2 : lien par e-mail (24 h, usage unique) ou mot de passe provisoire par "
                "courrier (72 h hors week-ends et jours fériés)",
                "Mot de passe",
                200,
                "ResetDelivered",
                (400, 404, 409, 410, 422),
                body="ResetDelivery",
                params=[_path_param("reset_id", HEX_ID)],
            )
        },
        "/api/v1/password-resets/complete": {
            "post": _op(
                "Étape 3 : nouveau mot de passe depuis le lien reçu par e-mail",
                "Mot de passe",
                200,
                "StatusMessage",
                (400, 404, 410, 422),
                body="ResetComplete",
            )
        },
        "/api/v1/sessions": {
            "post": _op(
                "Connexion (numéro de dossier + mot de passe)",
                "Session",
                201,
                "Session",
                (400, 401, 422, 429),
                body="Login",
            ),
            "delete": _no_content(
                _op(
                    "Déconnexion : le jeton (et les autres sessions du membre) est révoqué",
                    "Session",
                    204,
                    None,
                    AUTH,
                    security=SESSION,
                ),
                "Session terminée",
            ),
        },
        "/api/v1/me": {"get": _op("Mon dossier", "Mon dossier", 200, "Me", AUTH, security=SESSION)},
        "/api/v1/me/first-login": {
            "post": _op(
                "Première connexion : mot de passe personnel, CGU et e-mail",
                "Session",
                200,
                "FirstLoginDone",
                (400, *AUTH, 409, 422),
                body="FirstLogin",
                security=SESSION,
            )
        },
        "/api/v1/me/payments": {
            "get": _op(
                "Mes paiements mois par mois",
                "Mon dossier",
                200,
                "Payments",
                (*AUTH, 422),
                security=SESSION,
                params=[_query("from", MONTH), _query("to", MONTH)],
            )
        },
        "/api/v1/me/attestations": {
            "post": _op(
                "Générer une attestation (PDF) pour une période",
                "Documents",
                201,
                "Attestation",
                (400, *AUTH, 422),
                body="AttestationRequest",
                security=SESSION,
            )
        },
        "/api/v1/me/documents": {
            "get": _op(
                "Mes documents par année",
                "Documents",
                200,
                "Documents",
                (*AUTH, 422),
                security=SESSION,
                params=[
                    _query("year", _string(pattern=r"^\d{4}$")),
                    _query("kind", _string(enum=list(DOCUMENT_KINDS))),
                ],
            )
        },
        "/api/v1/me/documents/{document_id}": {
            "get": _op(
                "Un document et un nouveau lien de téléchargement",
                "Documents",
                200,
                "Document",
                (*AUTH, 404),
                security=SESSION,
                params=[_path_param("document_id", HEX_ID)],
            )
        },
        "/api/v1/files/{token}": {
            "get": _op(
                "Télécharger un PDF (lien signé, valable quelques minutes, sans session)",
                "Documents",
                200,
                None,
                (404, 410),
                params=[_path_param("token", _string())],
                content={"application/pdf": {"schema": _string(format="binary")}},
            )
        },
        "/api/v1/me/messages": {
            "get": _op(
                "Historique des échanges", "Messagerie", 200, "Messages", AUTH, security=SESSION
            ),
            "post": send_message,
        },
        "/api/v1/me/sick-leave-extensions": {"post": sick_leave},
        "/api/v1/me/uploads": {"post": upload},
        "/api/v1/me/uploads/{upload_id}": {
            "get": _op(
                "Un fichier déposé par le membre (nom, format, taille)",
                "Messagerie",
                200,
                "Upload",
                (*AUTH, 404),
                security=SESSION,
                params=[_path_param("upload_id", HEX_ID)],
            )
        },
        "/api/v1/me/rib-changes": {
            "post": _op(
                "Changer de RIB (effectif après le code de confirmation)",
                "Démarches",
                201,
                "RibChange",
                (400, *AUTH, 422),
                body="RibChangeRequest",
                security=SESSION,
            )
        },
        "/api/v1/me/rib-changes/check": {
            "post": _op(
                "Savoir si un IBAN est déjà celui du dossier (comparé en entier par le portail)",
                "Démarches",
                200,
                "RibCheck",
                (400, *AUTH, 422),
                body="RibCheckRequest",
                security=SESSION,
            )
        },
        "/api/v1/me/rib-changes/{change_id}/confirm": {
            "post": _op(
                "Confirmer le changement de RIB avec le code reçu",
                "Démarches",
                200,
                "RibConfirmed",
                (400, *AUTH, 404, 409, 410, 422, 429),
                body="RibConfirm",
                security=SESSION,
                params=[_path_param("change_id", HEX_ID)],
            )
        },
        "/api/v1/me/address": {
            "post": _op(
                "Changer d'adresse postale",
                "Démarches",
                200,
                "AddressChanged",
                (400, *AUTH, 422),
                body="AddressRequest",
                security=SESSION,
            )
        },
        "/api/v1/me/email-changes": {
            "post": _op(
                "Changer ou enregistrer l'adresse e-mail (lien de vérification)",
                "Démarches",
                201,
                "EmailChange",
                (400, *AUTH, 422, 429),
                body="EmailChangeRequest",
                security=SESSION,
            )
        },
        "/api/v1/email-verifications/{token}": {
            "get": _op(
                "Confirmer une adresse e-mail (lien reçu)",
                "Démarches",
                200,
                "EmailVerified",
                (404, 410, 422),
                params=[_path_param("token", _string(maxLength=200))],
            )
        },
        "/api/v1/me/adult-child-increases": {
            "post": _op(
                "Demander la majoration « enfant majeur »",
                "Démarches",
                201,
                "AdultChildFiled",
                (400, *AUTH, 422),
                body="AdultChildRequest",
                security=SESSION,
            )
        },
        "/api/v1/me/work-resumptions": {
            "post": _op(
                "Déclarer une reprise d'activité (temps complet ou thérapeutique)",
                "Démarches",
                201,
                "WorkResumptionFiled",
                (400, *AUTH, 422),
                body="WorkResumptionRequest",
                security=SESSION,
            )
        },
        "/api/v1/handoffs": {
            "post": _op(
                "Transférer une conversation à un conseiller",
                "Support",
                201,
                "Ticket",
                (400, 401, 422),
                body="HandoffRequest",
                security=SERVICE,
            ),
            "get": _op(
                "Transferts en attente (console)",
                "Support",
                200,
                "Tickets",
                (401, 422),
                security=SERVICE,
                params=[_query("status", _string(enum=["open", "closed"]))],
            ),
        },
        "/api/v1/handoffs/{ticket_id}/close": {
            "post": _op(
                "Clore un transfert",
                "Support",
                200,
                "Ticket",
                (401, 404, 409),
                security=SERVICE,
                params=[_path_param("ticket_id", _int(minimum=1, maximum=2**31 - 1))],
            )
        },
        "/api/v1/callbacks": {
            "post": _op(
                "Demander à être rappelé",
                "Support",
                201,
                "Ticket",
                (400, 401, 422),
                body="CallbackRequest",
                security=SERVICE,
            ),
            "get": _op(
                "Rappels demandés (console)",
                "Support",
                200,
                "Tickets",
                (401, 422),
                security=SERVICE,
                params=[_query("status", _string(enum=["open", "closed"]))],
            ),
        },
        "/api/v1/callbacks/{ticket_id}/close": {
            "post": _op(
                "Clore un rappel",
                "Support",
                200,
                "Ticket",
                (401, 404, 409),
                security=SERVICE,
                params=[_path_param("ticket_id", _int(minimum=1, maximum=2**31 - 1))],
            )
        },
        "/reset": {
            "get": _page(
                "Page : choisir un nouveau mot de passe (lien de l'e-mail)",
                [{**_query("token", _string(minLength=1)), "required": True}],
            ),
            "post": _page(
                "Page : envoyer le nouveau mot de passe",
                [],
                _object(
                    {
                        "token": _string(minLength=1),
                        "dossier_number": DOSSIER,
                        "new_password": NEW_PASSWORD,
                        "new_password_confirmation": NEW_PASSWORD,
                    }
                ),
            ),
        },
        "/verify-email": {
            "get": _page("Page : confirmer une adresse e-mail", [_query("token", _string())])
        },
    }
    if demo_mode:
        paths["/demo/mailbox"] = {
            "get": _op(
                "Boîte aux lettres de démonstration (e-mails et courriers envoyés)",
                "Démo",
                200,
                None,
                (422,),
                params=[_query("dossier_number", DOSSIER)],
                content={"text/html": {"schema": _string()}},
            )
        }
        paths["/api/v1/demo/clock"] = {
            "put": _op(
                "Déplacer l'horloge du portail (démo, tests des heures d'ouverture)",
                "Démo",
                200,
                "ClockSet",
                (401, 422),
                body="ClockSet",
                security=SERVICE,
            )
        }
        paths["/api/v1/demo/outbox"] = {
            "get": _op(
                "Messages envoyés (démo, pour les tests)",
                "Démo",
                200,
                "Outbox",
                (422,),
                params=[_query("dossier_number", DOSSIER)],
            )
        }
    return paths


def _page(summary: str, params: list[Schema], form: Schema | None = None) -> Schema:
    """A server-rendered French HTML page; errors are pages too."""
    html = {"text/html": {"schema": _string()}}
    operation: Schema = {
        "summary": summary,
        "tags": ["Pages"],
        "security": [],
        "parameters": params,
        "responses": {
            "200": {"description": "Page", "content": html},
            "default": {"description": "Page d'erreur", "content": html},
        },
    }
    for status in (400, 404, 410, 422):
        operation["responses"][str(status)] = {"description": ERRORS[status], "content": html}
    if form:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": form}},
        }
    return operation


def spec(public_url: str, demo_mode: bool) -> dict[str, Any]:
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
        "tags": [
            {"name": t}
            for t in (
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
        ],
        "paths": _paths(demo_mode),
        "components": {
            "schemas": SCHEMAS,
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
