"""Application factory of the reference portal (Sanic 21.12, the version Rasa pins)."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sanic import Request, Sanic
from sanic.response import BaseHTTPResponse

from carpimko.ops import observability
from portal.blueprints import api_blueprints
from portal.config import Settings
from portal.db import make_engine
from portal.http import Resources, dumps, handle_error
from portal.ratelimit import RateLimiter
from portal.security import make_hasher
from portal.services.outbox import Mailer
from portal.timeutil import Clock, system_clock

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None, clock: Clock = system_clock, name: str = "carpimko_portal"
) -> Sanic:
    """Build the app; the engine, thread pool and mailer open when the server starts."""
    settings = settings or Settings.from_env()
    app = Sanic(name, dumps=dumps, configure_logging=False)
    app.config.REQUEST_MAX_SIZE = settings.request_max_size
    app.config.ACCESS_LOG = settings.access_log
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.ctx.settings = settings
    app.ctx.clock = clock
    for blueprint in api_blueprints(settings.demo_mode):
        app.blueprint(blueprint)
    app.error_handler.add(Exception, handle_error)
    app.register_listener(_open_resources, "before_server_start")
    app.register_listener(_start_mailer, "after_server_start")
    app.register_listener(_stop_mailer, "before_server_stop")
    app.register_listener(_close_resources, "after_server_stop")
    app.register_middleware(_headers, "response")
    observability.install(app, "portal")
    return app


async def _open_resources(app: Sanic, _loop: Any) -> None:
    settings: Settings = app.ctx.settings
    app.ctx.resources = Resources(
        settings=settings,
        clock=app.ctx.clock,
        engine=make_engine(settings.database_url, settings.db_threads),
        executor=ThreadPoolExecutor(settings.db_threads, thread_name_prefix="portal-db"),
        limiter=RateLimiter(),
        hasher=make_hasher(settings),
    )
    app.ctx.mailer = None


async def _start_mailer(app: Sanic, _loop: Any) -> None:
    res: Resources = app.ctx.resources
    if res.settings.smtp_enabled:
        app.ctx.mailer = Mailer(res.settings, res.engine, res.executor, res.clock)
        app.ctx.mailer_task = asyncio.ensure_future(app.ctx.mailer.run())


async def _stop_mailer(app: Sanic, _loop: Any) -> None:
    if app.ctx.mailer is not None:
        app.ctx.mailer.stop()
        await app.ctx.mailer_task


async def _close_resources(app: Sanic, _loop: Any) -> None:
    res: Resources = app.ctx.resources
    res.executor.shutdown(wait=True)
    res.engine.dispose()


async def _headers(request: Request, response: BaseHTTPResponse) -> None:
    """No caching of personal data; wake the mailer after a write that may have queued mail."""
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    mailer = getattr(request.app.ctx, "mailer", None)
    if mailer is not None and request.method == "POST" and response.status < 400:
        mailer.wake()
