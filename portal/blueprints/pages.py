"""Server-rendered pages the e-mail links open: set a new password, confirm an e-mail."""

from __future__ import annotations

from html import escape

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, html

from portal.contract.accounts import ResetComplete
from portal.contract.base import read
from portal.errors import PortalError
from portal.http import db, now, resources
from portal.services import procedures, resets

bp = Blueprint("pages")
RULES = (
    "Le mot de passe doit contenir au moins une lettre minuscule, une lettre majuscule, "
    "un chiffre et avoir a minima 8 caractères."
)


def page(title: str, content: str, status: int = 200) -> HTTPResponse:
    return html(
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        f"<title>{escape(title)} – CARPIMKO</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<style>body{font-family:sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}"
        "label{display:block;margin-top:.8rem}input{padding:.4rem;width:18rem}"
        ".error{color:#a00}.ok{color:#060}pre{white-space:pre-wrap;background:#f4f4f4;"
        "padding:.6rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
        "padding:.3rem;vertical-align:top;text-align:left}</style></head><body>"
        "<p><strong>CARPIMKO</strong> – La Retraite des Auxiliaires Médicaux</p>"
        f"<h1>{escape(title)}</h1>{content}</body></html>",
        status=status,
        headers={
            "Cache-Control": "no-store",
            "Content-Security-Policy": "default-src 'self'; style-src 'unsafe-inline'",
            "Referrer-Policy": "no-referrer",
        },
    )


def _reset_form(token: str, error: str | None = None) -> str:
    message = f'<p class="error">{escape(error)}</p>' if error else ""
    return (
        f'{message}<form method="post" action="/reset">'
        f'<input type="hidden" name="token" value="{escape(token)}">'
        '<label>Numéro de dossier <input name="dossier_number" inputmode="numeric" '
        'autocomplete="username" required></label>'
        '<label>Mot de passe <input type="password" name="new_password" '
        'autocomplete="new-password" required></label>'
        '<label>Confirmer mot de passe <input type="password" '
        'name="new_password_confirmation" autocomplete="new-password" required></label>'
        f'<p>{escape(RULES)}</p><button type="submit">Valider</button></form>'
    )


@bp.get("/reset")
async def reset_form(request: Request) -> HTTPResponse:
    token = request.args.get("token", "")
    if not token:
        return page(
            "Réinitialisation du mot de passe",
            '<p class="error">Lien incomplet : utilisez le lien reçu par e-mail.</p>',
            400,
        )
    return page("Réinitialisation du mot de passe", _reset_form(token))


@bp.post("/reset")
async def reset_submit(request: Request) -> HTTPResponse:
    token = (request.form.get("token") or "")[:200]
    res = resources(request)
    try:
        asked = read(ResetComplete, {key: request.form.get(key) for key in request.form})
        result = await db(
            request,
            resets.complete,
            res.settings,
            res.hasher,
            asked.token,
            asked.dossier_number,
            asked.new_password,
            asked.new_password_confirmation,
            now(request),
        )
    except PortalError as error:
        return page(
            "Réinitialisation du mot de passe", _reset_form(token, error.message), error.status
        )
    return page(
        "Changement de mot de passe effectué !", f'<p class="ok">{escape(result["message"])}</p>'
    )


@bp.get("/verify-email")
async def verify_email(request: Request) -> HTTPResponse:
    token = request.args.get("token", "")[:200]
    try:
        result = await db(
            request, procedures.verify_email, resources(request).settings, token, now(request)
        )
    except PortalError as error:
        return page(
            "Confirmation de votre adresse e-mail",
            f'<p class="error">{escape(error.message)}</p>',
            error.status,
        )
    return page(
        "Adresse e-mail confirmée",
        f'<p class="ok">L\'adresse {escape(result["masked_email"])} est désormais celle '
        "de votre Espace Personnel.</p>",
    )
