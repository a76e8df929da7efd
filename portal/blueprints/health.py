"""Liveness (with a database round trip) and the OpenAPI description."""

from __future__ import annotations

import asyncio
import logging

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, raw

from portal.contract.openapi import document
from portal.db import ping
from portal.http import dumps, reply, resources

bp = Blueprint("health")
log = logging.getLogger(__name__)


@bp.get("/health")
async def health(request: Request) -> HTTPResponse:
    res = resources(request)
    try:
        await asyncio.get_running_loop().run_in_executor(res.executor, ping, res.engine)
    except Exception:
        log.exception("health check failed")
        return reply({"status": "error", "database": "indisponible"}, 503)
    return reply({"status": "ok", "database": "ok"})


@bp.get("/openapi.json")
async def openapi(request: Request) -> HTTPResponse:
    # Built once: the description only depends on the settings.
    if getattr(request.app.ctx, "openapi", None) is None:
        settings = resources(request).settings
        request.app.ctx.openapi = dumps(document(settings.public_url, settings.demo_mode)).encode()
    return raw(request.app.ctx.openapi, content_type="application/json")
