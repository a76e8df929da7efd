"""Shared by the blueprints: render a template, run database work off the event loop."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from console import staff

T = TypeVar("T")


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTTPResponse:
    """An HTML page (autoescaped) never cached: it shows conversations."""
    session = getattr(request.ctx, "staff", None)
    page = request.app.ctx.templates.get_template(template).render(
        staff=session, csrf_token=session.csrf_token if session else "", **context
    )
    return response.html(page, status=status, headers={"Cache-Control": "no-store"})


async def blocking(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Database and hashing work in a worker thread, so requests never wait on each other."""
    return await asyncio.to_thread(functools.partial(function, *args, **kwargs))


async def audit(request: Request, action: str, target: str = "", **detail: Any) -> None:
    session = getattr(request.ctx, "staff", None)
    actor = session.login if session else str(detail.pop("actor", "?"))
    await blocking(staff.record, request.app.ctx.store, actor, action, target, detail)


def wants_json(request: Request) -> bool:
    return request.path.startswith("/api/")


def parse_day(value: str, label: str, errors: list[str]) -> date | None:
    """A date typed as AAAA-MM-JJ; None (and a French error) when it is not one."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(f"{label} : saisissez une date au format AAAA-MM-JJ.")
        return None


MAX_PAGE = 1_000_000
"""Beyond any real list; a larger page would overflow the database's integer offset."""


def page_number(request: Request) -> int:
    """The ``page`` query parameter, 1 when missing or not a number, within 1..MAX_PAGE."""
    try:
        return min(max(1, int(request.args.get("page") or 1)), MAX_PAGE)
    except ValueError:
        return 1
