"""``/health``: the console answers and can read both databases (no session needed)."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from console import tracker

bp = Blueprint("health")


def _check(request: Request) -> dict[str, str]:
    with request.app.ctx.store.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
    ready = tracker.store_ready(request.app.ctx.tracker)
    return {"status": "ok", "database": "ok", "tracker_store": "ok" if ready else "vide"}


@bp.get("/health")
async def health(request: Request) -> HTTPResponse:
    try:
        body = await asyncio.to_thread(_check, request)
    except sa.exc.SQLAlchemyError:
        return response.json({"status": "error", "database": "indisponible"}, status=503)
    return response.json(body)
