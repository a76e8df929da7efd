"""Every route of the portal: method, path, models, security, summary (the OpenAPI source)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from portal.contract import accounts as a
from portal.contract import documents as d
from portal.contract import messages as m
from portal.contract import procedures as p
from portal.contract import support as s
from portal.contract.base import Request

A = TypeVar("A", bound=BaseModel)
B = TypeVar("B", bound=Request)
Body_co = TypeVar("Body_co", bound=Request, covariant=True)
Answer_co = TypeVar("Answer_co", bound=BaseModel, covariant=True)
NoBody = Request
"""Body type of a route that takes none (its ``body`` is None)."""
NoAnswer = BaseModel
"""Answer type of a route without a JSON answer (its ``answer`` is None)."""
AUTH = (401, 403)
JSON = "application/json"
MULTIPART = "multipart/form-data"
FORM = "application/x-www-form-urlencoded"
PDF = "application/pdf"
HTML = "text/html"


@dataclass(frozen=True)
class Route(Generic[Body_co, Answer_co]):
    """One operation. ``answer`` is the success model (None: no JSON body, see ``media``).

    The assistant's client calls a route by its name here, so it sends what the portal checks
    and parses what the portal answers with the same models.
    """

    method: str
    path: str
    tag: str
    status: int
    answer: type[Answer_co] | None
    errors: tuple[int, ...] = ()
    summary: str = ""
    body: type[Body_co] | None = None
    body_media: tuple[str, ...] = (JSON,)
    query: type[Request] | None = None
    security: str = "public"
    """« public », « session » (or service key + session), « service »."""
    media: str = JSON
    """Content type of the success answer."""
    error_media: str = JSON
    """Content type of the refusals (a page refuses in HTML, a download in JSON)."""
    description: str = ""
    demo: bool = False
    file_field: str | None = None
    """Name of the multipart file part, when the body carries one."""
    file_required: bool = False


# One row per operation, kept as a table on purpose: the handlers read their body with their
# row, the assistant's client calls a row by its name.
# fmt: off
CONTACT: Route[NoBody, s.Contact] = Route("GET", "/api/v1/contact", "Contact", 200, s.Contact,
      (422,),
      summary="Coordonnées et horaires d'ouverture",
      query=s.ContactQuery,
)
RESET_START = Route("POST", "/api/v1/password-resets", "Mot de passe", 201, a.ResetStarted,
      (400, 404, 422, 429),
      summary="Mot de passe oublié / première connexion : étape 1",
      description="Limité par dossier et par client (429 + Retry-After).",
      body=a.ResetStart,
)
IDENTITY_CHECK = Route("POST", "/api/v1/identity-checks", "Mot de passe", 200, a.IdentityVerified,
      (400, 401, 404, 422, 429),
      summary="Vérification d'identité au téléphone : numéro de dossier et code postal",
      description=(
          "Même réponse 404 que le dossier ou le code postal soit faux. Limité par dossier "
          "et par client (429 + Retry-After)."
      ),
      body=a.IdentityCheck, security="service",
)
RESET_DELIVERY = Route("POST", "/api/v1/password-resets/{reset_id}/delivery", "Mot de passe", 200,
      a.ResetDelivered, (400, 404, 409, 410, 422),
      summary=(
          "Étape 2 : lien par e-mail (24 h, usage unique) ou mot de passe provisoire par "
          "courrier (72 h hors week-ends et jours fériés)"
      ),
      body=a.ResetDelivery,
)
ME: Route[NoBody, a.Me] = Route("GET", "/api/v1/me", "Mon dossier", 200, a.Me, AUTH,
      summary="Mon dossier",
      security="session",
)
ATTESTATION = Route("POST", "/api/v1/me/attestations", "Documents", 201, d.Attestation,
      (400, *AUTH, 422),
      summary="Générer une attestation (PDF) pour une période",
      body=d.AttestationRequest, security="session",
)
DOCUMENTS: Route[NoBody, d.Documents] = Route(
      "GET", "/api/v1/me/documents", "Documents", 200, d.Documents,
      (*AUTH, 422),
      summary="Mes documents par année",
      query=d.DocumentsQuery, security="session",
)
MESSAGE = Route("POST", "/api/v1/me/messages", "Messagerie", 201, m.Message,
      (400, *AUTH, 404, 410, 413, 415, 422),
      summary="Écrire à un service (messagerie sécurisée)",
      body=m.MessageRequest, body_media=(MULTIPART,
      JSON), security="session", file_field="file",
)
SICK_LEAVE = Route("POST", "/api/v1/me/sick-leave-extensions", "Messagerie", 201, m.Message,
      (400, *AUTH, 404, 410, 413, 415, 422),
      summary="Envoyer une prolongation d'arrêt de travail (service Invalidité-Décès)",
      body=m.SickLeaveRequest, body_media=(MULTIPART,
      JSON), security="session", file_field="file",
)
UPLOAD: Route[NoBody, m.Upload] = Route(
      "GET", "/api/v1/me/uploads/{upload_id}", "Messagerie", 200, m.Upload,
      (*AUTH, 404),
      summary="Un fichier déposé par le membre (nom, format, taille)",
      security="session",
)
RIB_CHANGE = Route("POST", "/api/v1/me/rib-changes", "Démarches", 201, p.RibChange,
      (400, *AUTH, 422),
      summary="Changer de RIB (effectif après le code de confirmation)",
      body=p.RibChangeRequest, security="session",
)
RIB_CHECK = Route("POST", "/api/v1/me/rib-changes/check", "Démarches", 200, p.RibCheck,
      (400, *AUTH, 422),
      summary="Savoir si un IBAN est déjà celui du dossier (comparé en entier par le portail)",
      body=p.RibCheckRequest, security="session",
)
ADDRESS = Route("POST", "/api/v1/me/address", "Démarches", 200, p.AddressChanged, (400, *AUTH, 422),
      summary="Changer d'adresse postale",
      body=p.AddressRequest, security="session",
)
EMAIL_CHANGE = Route("POST", "/api/v1/me/email-changes", "Démarches", 201, p.EmailChange,
      (400, *AUTH, 422, 429),
      summary="Changer ou enregistrer l'adresse e-mail (lien de vérification)",
      body=p.EmailChangeRequest, security="session",
)
ADULT_CHILD = Route("POST", "/api/v1/me/adult-child-increases", "Démarches", 201, p.AdultChildFiled,
      (400, *AUTH, 422),
      summary="Demander la majoration « enfant majeur »",
      body=p.AdultChildRequest, security="session",
)
WORK_RESUMPTION = Route("POST", "/api/v1/me/work-resumptions", "Démarches", 201,
      p.WorkResumptionFiled, (400, *AUTH, 422),
      summary="Déclarer une reprise d'activité (temps complet ou thérapeutique)",
      body=p.WorkResumptionRequest, security="session",
)
HANDOFF = Route("POST", "/api/v1/handoffs", "Support", 201, s.Ticket, (400, 401, 422),
      summary="Transférer une conversation à un conseiller",
      body=s.HandoffRequest, security="service",
)
CALLBACK = Route("POST", "/api/v1/callbacks", "Support", 201, s.Ticket, (400, 401, 422),
      summary="Demander à être rappelé",
      body=s.CallbackRequest, security="service",
)

HEALTH: Route[NoBody, s.Health] = Route("GET", "/health", "Service", 200, s.Health,
      summary="État du service et de la base",
)
OPENAPI: Route[NoBody, NoAnswer] = Route("GET", "/openapi.json", "Service", 200, None,
      summary="Cette description OpenAPI",
)
RESET_COMPLETE = Route("POST", "/api/v1/password-resets/complete", "Mot de passe", 200,
      a.StatusMessage,
      (400, 404, 410, 422),
      summary="Étape 3 : nouveau mot de passe depuis le lien reçu par e-mail",
      body=a.ResetComplete,
)
LOGIN = Route("POST", "/api/v1/sessions", "Session", 201, a.Session, (400, 401, 422, 429),
      summary="Connexion (numéro de dossier + mot de passe)",
      body=a.Login,
)
LOGOUT: Route[NoBody, NoAnswer] = Route("DELETE", "/api/v1/sessions", "Session", 204, None, AUTH,
      summary="Déconnexion : le jeton (et les autres sessions du membre) est révoqué",
      security="session",
)
FIRST_LOGIN = Route("POST", "/api/v1/me/first-login", "Session", 200, a.FirstLoginDone,
      (400, *AUTH, 409, 422),
      summary="Première connexion : mot de passe personnel, CGU et e-mail",
      body=a.FirstLogin, security="session",
)
PAYMENTS: Route[NoBody, a.Payments] = Route(
      "GET", "/api/v1/me/payments", "Mon dossier", 200, a.Payments,
      (*AUTH, 422),
      summary="Mes paiements mois par mois",
      query=a.PaymentsQuery, security="session",
)
DOCUMENT: Route[NoBody, d.Document] = Route(
      "GET", "/api/v1/me/documents/{document_id}", "Documents", 200,
      d.Document,
      (*AUTH, 404),
      summary="Un document et un nouveau lien de téléchargement",
      security="session",
)
FILE: Route[NoBody, NoAnswer] = Route("GET", "/api/v1/files/{token}", "Documents", 200, None,
      (404, 410),
      summary="Télécharger un PDF (lien signé, valable quelques minutes, sans session)",
      media=PDF,
)
MESSAGES: Route[NoBody, m.Messages] = Route(
      "GET", "/api/v1/me/messages", "Messagerie", 200, m.Messages,
      AUTH,
      summary="Historique des échanges",
      security="session",
)
UPLOAD_FILE = Route("POST", "/api/v1/me/uploads", "Messagerie", 201, m.Upload,
      (400, *AUTH, 413, 415, 422),
      summary="Déposer un fichier avant de l'envoyer (assistant : seul l'identifiant circule)",
      body=m.UploadForm, body_media=(MULTIPART,),
      security="session", file_field="file", file_required=True,
)
RIB_CONFIRM = Route("POST", "/api/v1/me/rib-changes/{change_id}/confirm", "Démarches", 200,
      p.RibConfirmed,
      (400, *AUTH, 404, 409, 410, 422, 429),
      summary="Confirmer le changement de RIB avec le code reçu",
      body=p.RibConfirm, security="session",
)
EMAIL_VERIFICATION: Route[NoBody, p.EmailVerified] = Route(
      "GET", "/api/v1/email-verifications/{token}", "Démarches",
      200,
      p.EmailVerified,
      (404, 410, 422),
      summary="Confirmer une adresse e-mail (lien reçu)",
)
HANDOFFS: Route[NoBody, s.Tickets] = Route("GET", "/api/v1/handoffs", "Support", 200, s.Tickets,
      (401, 422),
      summary="Transferts en attente (console)",
      query=s.TicketsQuery, security="service",
)
HANDOFF_CLOSE: Route[NoBody, s.Ticket] = Route(
      "POST", "/api/v1/handoffs/{ticket_id}/close", "Support", 200,
      s.Ticket,
      (401, 404, 409),
      summary="Clore un transfert",
      security="service",
)
CALLBACKS: Route[NoBody, s.Tickets] = Route("GET", "/api/v1/callbacks", "Support", 200, s.Tickets,
      (401, 422),
      summary="Rappels demandés (console)",
      query=s.TicketsQuery, security="service",
)
CALLBACK_CLOSE: Route[NoBody, s.Ticket] = Route(
      "POST", "/api/v1/callbacks/{ticket_id}/close", "Support", 200,
      s.Ticket,
      (401, 404, 409),
      summary="Clore un rappel",
      security="service",
)
HELD_LETTERS: Route[NoBody, s.HeldLetters] = Route(
      "GET", "/api/v1/held-letters", "Support", 200, s.HeldLetters,
      (401,),
      summary="Courriers retenus au-delà du plafond horaire (console)",
      security="service",
)
HELD_LETTER_RELEASE: Route[NoBody, s.HeldLetter] = Route(
      "POST", "/api/v1/held-letters/{letter_id}/release", "Support", 200, s.HeldLetter,
      (401, 404, 409, 422),
      summary="Envoyer un courrier retenu (il part à l'impression)",
      security="service",
)
HELD_LETTER_CANCEL: Route[NoBody, s.HeldLetter] = Route(
      "POST", "/api/v1/held-letters/{letter_id}/cancel", "Support", 200, s.HeldLetter,
      (401, 404, 409, 422),
      summary="Annuler un courrier retenu (son texte est effacé)",
      security="service",
)
RESET_PAGE: Route[NoBody, NoAnswer] = Route("GET", "/reset", "Pages", 200, None,
      (400, 404, 410, 422),
      summary="Page : choisir un nouveau mot de passe (lien de l'e-mail)",
      query=s.PageToken, media=HTML, error_media=HTML,
)
RESET_PAGE_FORM: Route[a.ResetComplete, NoAnswer] = Route("POST", "/reset", "Pages", 200, None,
      (400, 404, 410, 422),
      summary="Page : envoyer le nouveau mot de passe",
      body=a.ResetComplete, body_media=(FORM,), media=HTML, error_media=HTML,
)
VERIFY_EMAIL_PAGE: Route[NoBody, NoAnswer] = Route("GET", "/verify-email", "Pages", 200, None,
      (400, 404, 410, 422),
      summary="Page : confirmer une adresse e-mail",
      query=s.PageToken, media=HTML, error_media=HTML,
)
DEMO_MAILBOX: Route[NoBody, NoAnswer] = Route("GET", "/demo/mailbox", "Démo", 200, None, (422,),
      summary="Boîte aux lettres de démonstration (e-mails et courriers envoyés)",
      query=s.OutboxQuery, media=HTML, demo=True,
)
DEMO_CLOCK = Route("PUT", "/api/v1/demo/clock", "Démo", 200, s.ClockNow, (401, 422),
      summary="Déplacer l'horloge du portail (démo, tests des heures d'ouverture)",
      body=s.ClockSet, security="service", demo=True,
)
DEMO_OUTBOX: Route[NoBody, s.Outbox] = Route("GET", "/api/v1/demo/outbox", "Démo", 200, s.Outbox,
      (422,),
      summary="Messages envoyés (démo, pour les tests)",
      query=s.OutboxQuery, demo=True,
)

# fmt: on

ROUTES: tuple[Route[Any, Any], ...] = tuple(
    value for value in list(globals().values()) if isinstance(value, Route)
)
"""Every row above, in the order written: a new row is documented (and tested) without a
second list to keep."""
