"""Sanic app of the demo site: public page, Espace Personnel login/home/logout, accessibility
statement, static files."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from carpimko.ops import observability
from webdemo import accessibility, pages, portal
from webdemo.config import Settings
from webdemo.session import COOKIE, sign, unsign

PROFILES = {"affilie", "ayant_droit"}
UPLOAD_PATH = "/espace-personnel/fichiers"
FORM_MAX_BYTES = 16 * 1024
"""The login form is a few hundred bytes: only the widget's file route takes more."""


def _json_error(message: str, status: int) -> HTTPResponse:
    """The portal's error shape, for the widget."""
    return response.json({"error": {"message": message}}, status=status)


def _csp(settings: Settings) -> str:
    """Scripts and styles from this site only; socket.io may reach the Rasa host, over https
    and wss too (the widget upgrades an http:// Rasa URL when the page is https)."""
    netloc = urlsplit(settings.rasa_public_url).netloc
    rasa = " ".join(f"{scheme}://{netloc}" for scheme in ("http", "https", "ws", "wss"))
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
        f"connect-src 'self' {rasa}; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
    )


def _html(body: str, status: int = 200) -> HTTPResponse:
    # Pages may carry a session token: never cached, never sent as a referrer.
    return response.html(body, status=status, headers={"Cache-Control": "no-store"})


def create_app(settings: Settings | None = None, name: str = "carpimko_webdemo") -> Sanic:
    """Builds the app; `settings` defaults to the environment (see webdemo/config.py)."""
    settings = settings or Settings.from_env()
    app = Sanic(name, configure_logging=False)
    # The bodies are the login form and one file for the chat widget (forwarded to the portal,
    # which checks its type and size): anything larger is refused (413) before parsing, and a
    # form larger than FORM_MAX_BYTES on any other route too (see `small_forms`).
    app.config.REQUEST_MAX_SIZE = settings.upload_max_bytes + 64 * 1024
    app.ctx.settings = settings
    mailbox_url = f"{settings.portal_public_url}/demo/mailbox"
    csp = _csp(settings)

    def widget(scope: str, token: str = "") -> pages.Widget:
        upload_url = UPLOAD_PATH if token else ""
        return pages.Widget(
            settings.rasa_public_url, settings.socketio_path, scope, token, upload_url
        )

    @app.middleware("request")
    async def small_forms(request: Request) -> HTTPResponse | None:
        if request.path != UPLOAD_PATH and len(request.body or b"") > FORM_MAX_BYTES:
            return response.text("Requête trop volumineuse.", status=413)
        return None

    @app.middleware("response")
    async def security_headers(_: Request, resp: HTTPResponse) -> None:
        resp.headers.setdefault("Content-Security-Policy", csp)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "no-referrer")

    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.get("/favicon.ico")
    async def favicon(_: Request) -> HTTPResponse:
        return response.empty()

    @app.get("/")
    async def home(_: Request) -> HTTPResponse:
        return _html(pages.public_page(widget("public"), mailbox_url))

    @app.get(accessibility.PATH)
    async def accessibility_statement(_: Request) -> HTTPResponse:
        return _html(pages.accessibility_page(widget("public")))

    @app.get("/espace-personnel")
    async def login_form(request: Request) -> HTTPResponse:
        if unsign(request.cookies.get(COOKIE), settings.secret):
            return response.redirect("/espace-personnel/accueil", status=303)
        return _html(pages.login_page(mailbox_url))

    @app.post("/espace-personnel")
    async def login(request: Request) -> HTTPResponse:
        form = request.form or {}
        profile = str(form.get("profile") or "affilie")
        dossier = re.sub(r"[\s.\-]", "", str(form.get("dossier_number") or ""))
        password = str(form.get("password") or "")
        error = ""
        if profile not in PROFILES:
            error = "Choisissez « Affilié » ou « Ayant droit »."
        elif not dossier.isdigit() or not password:
            error = "Saisissez votre numéro de dossier (chiffres uniquement) et votre mot de passe."
        if not error:
            try:
                session = await portal.login(settings.portal_url, profile, dossier, password)
            except portal.PortalError as failure:
                error = failure.message
            else:
                if session.must_change_password:
                    error = (
                        "Votre mot de passe est provisoire : choisissez d'abord un nouveau mot "
                        "de passe sur le portail."
                    )
                else:
                    resp = response.redirect("/espace-personnel/accueil", status=303)
                    _set_session(resp, sign(session.token, settings.secret), settings)
                    return resp
        page = pages.login_page(mailbox_url, error=error, dossier=dossier, profile=profile)
        return _html(page, status=400 if error else 200)

    @app.get("/espace-personnel/accueil")
    async def espace(request: Request) -> HTTPResponse:
        token = unsign(request.cookies.get(COOKIE), settings.secret)
        person = await portal.me(settings.portal_url, token) if token else None
        if not token or person is None:
            resp = response.redirect("/espace-personnel", status=303)
            del resp.cookies[COOKIE]
            return resp
        return _html(pages.home_page(person, widget("espace", token), mailbox_url))

    @app.post(UPLOAD_PATH)
    async def upload(request: Request) -> HTTPResponse:
        """The chat widget's file, sent on to the portal with this session: the file goes to
        the portal, only its id goes to the assistant. The session cookie is SameSite=Strict,
        so another site cannot post here in the member's name."""
        token = unsign(request.cookies.get(COOKIE), settings.secret)
        if not token:
            return _json_error("Votre session a expiré : reconnectez-vous.", 401)
        files = request.files.getlist("file") if request.files else None
        if not files or len(files) != 1:
            return _json_error("Choisissez un fichier PDF, JPG, JPEG ou PNG.", 422)
        file = files[0]
        try:
            status, body = await portal.upload(
                settings.portal_url, token, file.name, file.body, file.type
            )
        except portal.PortalError as failure:
            return _json_error(failure.message, 502)
        return response.json(body, status=status, headers={"Cache-Control": "no-store"})

    @app.post("/espace-personnel/deconnexion")
    async def logout(request: Request) -> HTTPResponse:
        token = unsign(request.cookies.get(COOKIE), settings.secret)
        if token:  # the token also sat in the page (the widget's): the portal revokes it
            await portal.logout(settings.portal_url, token)
        resp = response.redirect("/", status=303)
        del resp.cookies[COOKIE]
        # Forget the conversations kept in the browser (sessionStorage) on this shared device.
        resp.headers["Clear-Site-Data"] = '"storage"'
        return resp

    @app.exception(portal.PortalError)
    async def portal_down(_: Request, failure: Exception) -> HTTPResponse:
        message = failure.message if isinstance(failure, portal.PortalError) else ""
        return _html(pages.login_page(mailbox_url, error=message), status=502)

    app.static("/static", str(settings.static_dir), name="static")
    observability.install(app, "webdemo")
    return app


def _set_session(resp: HTTPResponse, value: str, settings: Settings) -> None:
    """HttpOnly, SameSite=Strict cookie living as long as the portal session."""
    resp.cookies[COOKIE] = value
    cookie = resp.cookies[COOKIE]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/"
    cookie["max-age"] = settings.session_ttl
    if settings.cookie_secure:
        cookie["secure"] = True
