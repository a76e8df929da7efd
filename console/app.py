"""Sanic app of the support console: create_app(), resources opened in listeners."""

from __future__ import annotations

import logging
from pathlib import Path

from argon2 import PasswordHasher
from sanic import Sanic, response
from sanic.exceptions import NotFound, SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from carpimko.ops import observability
from carpimko.ops.rates import SlidingWindows
from console import staff, tracker
from console.auth import require_staff
from console.blueprints import (
    audit,
    conversations,
    dashboard,
    handoffs,
    health,
    letters,
    session,
)
from console.config import Settings
from console.insights import summary
from console.templating import make_environment

logger = logging.getLogger(__name__)
CSP = (
    "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
)


def make_hasher() -> PasswordHasher:
    """argon2id with argon2-cffi's defaults (RFC 9106 low-memory profile)."""
    return PasswordHasher()


def create_app(
    settings: Settings | None = None,
    name: str = "carpimko_console",
    hasher: PasswordHasher | None = None,
) -> Sanic:
    """The console; `settings` default to the environment (console/config.py)."""
    settings = settings or Settings.from_env()
    app = Sanic(name, configure_logging=False)
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.ctx.settings = settings
    app.ctx.hasher = hasher or make_hasher()
    app.ctx.templates = make_environment()
    app.ctx.login_failures = SlidingWindows(max_keys=10_000)  # login names, forgotten

    async def open_resources(app: Sanic, _loop: object) -> None:
        app.ctx.store = staff.open_store(settings.database_url)
        summary.create_tables(app.ctx.store)
        app.ctx.tracker = tracker.open_engine(settings.tracker_url, read_only=True)

    async def close_resources(app: Sanic, _loop: object) -> None:
        app.ctx.store.dispose()
        app.ctx.tracker.dispose()

    app.register_listener(open_resources, "before_server_start")
    app.register_listener(close_resources, "after_server_stop")
    app.register_middleware(require_staff, "request")

    @app.middleware("response")
    async def security_headers(_: Request, resp: HTTPResponse) -> None:
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        resp.headers.setdefault("X-Frame-Options", "DENY")

    @app.exception(NotFound)
    async def not_found(request: Request, _: Exception) -> HTTPResponse:
        if request.path.startswith("/api/"):
            return response.json(
                {"error": {"code": "introuvable", "message": "Page introuvable."}}, status=404
            )
        return response.html(
            app.ctx.templates.get_template("error.html").render(
                staff=getattr(request.ctx, "staff", None), message="Page introuvable."
            ),
            status=404,
        )

    @app.exception(Exception)
    async def failure(request: Request, error: Exception) -> HTTPResponse:
        """No stack trace, SQL or token ever reaches the browser."""
        status = error.status_code if isinstance(error, SanicException) else 500
        if not isinstance(error, SanicException):
            logger.exception("console error on %s", request.path)
        message = "Erreur interne : réessayez, ou prévenez l'équipe technique."
        if status < 500:
            message = "Requête invalide."
        if request.path.startswith("/api/"):
            return response.json({"error": {"code": "erreur", "message": message}}, status=status)
        return response.html(
            app.ctx.templates.get_template("error.html").render(staff=None, message=message),
            status=status,
        )

    @app.get("/favicon.ico")
    async def favicon(_: Request) -> HTTPResponse:
        return response.empty()

    blueprints = (health.bp, session.bp, conversations.bp, handoffs.bp, letters.bp, dashboard.bp)
    for blueprint in (*blueprints, audit.bp):
        app.blueprint(blueprint)
    app.static("/static", str(Path(__file__).with_name("static")), name="static")
    observability.install(app, "console")
    return app
