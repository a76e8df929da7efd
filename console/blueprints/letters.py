"""Letters held over the portal's hourly cap: listed masked, released or cancelled, audited.

The portal holds a letter (a temporary password, a confirmation code…) when more than
``PORTAL_LETTERS_PER_HOUR`` went to print in the last hour: someone may be sending letters
to dossiers they do not own. A staff member looks at the queue (when, which procedure, which
dossier, masked) and releases the letter to print or cancels it; each decision is in the
audit log with its author.
"""

from __future__ import annotations

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from console import portal
from console.views import audit, render, wants_json

bp = Blueprint("letters")
UNAVAILABLE = "Le portail ne répond pas : la file des courriers est momentanément indisponible."
ALREADY = "Ce courrier a déjà été traité (par un autre membre de l'équipe ?)."
DECISIONS = {"release": "courrier_envoye", "cancel": "courrier_annule"}
"""Decision in the URL → its action in the audit log."""
DONE = {"release": "Courrier envoyé à l'impression.", "cancel": "Courrier annulé."}


def _unavailable(request: Request, message: str, code: str, status: int) -> HTTPResponse:
    if wants_json(request):
        return response.json({"error": {"code": code, "message": message}}, status=status)
    return render(request, "letters.html", status, letters=[], error=message, done="")


async def _queue(request: Request) -> HTTPResponse:
    """The held letters, as the page or as JSON; viewing the queue is audited too."""
    settings = request.app.ctx.settings
    try:
        letters = await portal.held_letters(settings.portal_url, settings.portal_service_key)
    except portal.PortalUnavailable:
        return _unavailable(request, UNAVAILABLE, "portail_indisponible", 502)
    api = wants_json(request)
    await audit(request, "file_courriers", "api" if api else "letters", courriers=len(letters))
    if api:
        return response.json({"letters": letters, "count": len(letters)})
    done = DONE.get(str(request.args.get("fait") or ""), "")
    return render(request, "letters.html", letters=letters, error="", done=done)


@bp.get("/letters")
async def letters_page(request: Request) -> HTTPResponse:
    return await _queue(request)


@bp.get("/api/letters")
async def letters_api(request: Request) -> HTTPResponse:
    return await _queue(request)


async def _decide(request: Request, letter_id: int, decision: str) -> HTTPResponse:
    if decision not in DECISIONS:
        return _unavailable(request, "Décision inconnue.", "decision_inconnue", 404)
    settings = request.app.ctx.settings
    try:
        letter = await portal.decide_letter(
            settings.portal_url, settings.portal_service_key, letter_id, decision
        )
    except portal.LetterAlreadyDecided:
        return _unavailable(request, ALREADY, "deja_traite", 409)
    except portal.PortalUnavailable:
        return _unavailable(request, UNAVAILABLE, "portail_indisponible", 502)
    await audit(request, DECISIONS[decision], f"courrier {letter_id}",
                dossier=letter.get("dossier_number"), objet=letter.get("subject"))  # fmt: skip
    if wants_json(request):
        return response.json(letter)
    return response.redirect(f"/letters?fait={decision}", status=303)


@bp.post("/letters/<letter_id:int>/<decision:str>")
async def decide_page(request: Request, letter_id: int, decision: str) -> HTTPResponse:
    return await _decide(request, letter_id, decision)


@bp.post("/api/letters/<letter_id:int>/<decision:str>")
async def decide_api(request: Request, letter_id: int, decision: str) -> HTTPResponse:
    return await _decide(request, letter_id, decision)
