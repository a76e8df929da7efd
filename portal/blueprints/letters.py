"""Letters held over the hourly cap (support console, service key): list, release, cancel."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from portal import validation
from portal.http import db, now, reply, require_service
from portal.services import letters

bp = Blueprint("letters", url_prefix="/api/v1/held-letters")


@bp.get("")
async def list_held(request: Request) -> HTTPResponse:
    require_service(request)
    items = await db(request, letters.list_held, 200, write=False)
    return reply({"letters": items, "count": len(items)})


@bp.post("/<letter_id:str>/release")
async def release(request: Request, letter_id: str) -> HTTPResponse:
    require_service(request)
    number = validation.positive_int(letter_id)
    return reply(await db(request, letters.release, number, now(request)))


@bp.post("/<letter_id:str>/cancel")
async def cancel(request: Request, letter_id: str) -> HTTPResponse:
    require_service(request)
    number = validation.positive_int(letter_id)
    return reply(await db(request, letters.cancel, number))
