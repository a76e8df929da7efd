"""Conversation list (filters, pagination), transcript, and download of the selection."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from itertools import islice
from typing import Any
from urllib.parse import urlencode

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from console import export, tracker
from console.conversations import CHANNEL_LABELS, OUTCOME_LABELS, export_record, summarize, turns
from console.views import audit, blocking, page_number, parse_day, render

bp = Blueprint("conversations")
FILTER_FIELDS = ("since", "until", "channel", "intent", "outcome", "handoff", "dossier", "sender")


def read_filters(request: Request) -> tuple[tracker.Filters, dict[str, str], list[str]]:
    """Filters from the query string, the raw values (to refill the form), French errors."""
    raw = {name: str(request.args.get(name) or "").strip()[:100] for name in FILTER_FIELDS}
    errors: list[str] = []
    handoff = {"oui": True, "non": False}.get(raw["handoff"])
    filters = tracker.Filters(
        since=parse_day(raw["since"], "Du", errors),
        until=parse_day(raw["until"], "Au", errors),
        channel=raw["channel"] or None,
        intent=raw["intent"] or None,
        outcome=raw["outcome"] or None,
        handoff=handoff,
        dossier=raw["dossier"] or None,
        sender=raw["sender"] or None,
    )
    errors += filters.validate()
    return filters, raw, errors


def _listing(request: Request) -> tuple[tracker.Filters, dict[str, str], list[str], int]:
    filters, raw, errors = read_filters(request)
    return filters, raw, errors, page_number(request)


@bp.get("/")
async def home(_: Request) -> HTTPResponse:
    return response.redirect("/conversations", status=303)


@bp.get("/conversations")
async def conversation_list(request: Request) -> HTTPResponse:
    ctx = request.app.ctx
    filters, raw, errors, page_number = _listing(request)
    page = tracker.Page(page=page_number, page_size=ctx.settings.page_size)
    if not errors:
        page = await blocking(
            tracker.list_conversations, ctx.tracker, filters, page_number, ctx.settings.page_size
        )
    if filters.dossier and not errors:
        await audit(request, "recherche", "conversations", filtres=filters.describe())
    intents = await blocking(tracker.known_intents, ctx.tracker)
    query = {k: v for k, v in raw.items() if v}
    return render(
        request,
        "conversations.html",
        status=400 if errors else 200,
        page=page,
        raw=raw,
        errors=errors,
        intents=intents,
        channels=CHANNEL_LABELS,
        outcomes=OUTCOME_LABELS,
        query=urlencode(query),
        page_url=lambda n: "/conversations?" + urlencode({**query, "page": n}),
        export_url=lambda fmt: "/export?" + urlencode({**query, "format": fmt}),
    )


@bp.get("/api/conversations")
async def conversation_list_api(request: Request) -> HTTPResponse:
    ctx = request.app.ctx
    filters, _raw, errors, page_number = _listing(request)
    if errors:
        return response.json(
            {"error": {"code": "filtre_invalide", "message": " ".join(errors)}}, status=400
        )
    page = await blocking(
        tracker.list_conversations, ctx.tracker, filters, page_number, ctx.settings.page_size
    )
    if filters.dossier:
        await audit(request, "recherche", "conversations", filtres=filters.describe())
    return response.json(
        {
            "items": [s.as_dict() for s in page.items],
            "total": page.total,
            "page": page.page,
            "pages": page.pages,
        }
    )


async def _transcript(request: Request, sender_id: str) -> dict[str, Any] | None:
    events = await blocking(tracker.conversation_events, request.app.ctx.tracker, sender_id)
    if events is None:
        return None
    await audit(request, "consultation", sender_id)
    return {"summary": summarize(sender_id, events), "turns": turns(events)}


@bp.get("/conversations/<sender_id:path>")
async def transcript_page(request: Request, sender_id: str) -> HTTPResponse:
    found = await _transcript(request, sender_id)
    if found is None:
        return render(request, "error.html", 404, message="Conversation introuvable.")
    return render(request, "transcript.html", **found)


@bp.get("/api/conversations/<sender_id:path>")
async def transcript_api(request: Request, sender_id: str) -> HTTPResponse:
    found = await _transcript(request, sender_id)
    if found is None:
        return response.json(
            {"error": {"code": "introuvable", "message": "Conversation introuvable."}}, status=404
        )
    return response.json({"summary": found["summary"].as_dict(), "turns": found["turns"]})


@bp.get("/export")
async def export_download(request: Request) -> HTTPResponse | None:
    """The selection of the list, streamed as a file (same formats as the CLI)."""
    filters, _raw, errors = read_filters(request)
    fmt = str(request.args.get("format") or "jsonl")
    if fmt not in export.FORMATS:
        errors.append("Format inconnu : jsonl, csv ou html.")
    if errors:
        return render(request, "error.html", 400, message=" ".join(errors))
    engine = request.app.ctx.tracker
    records = (export_record(s, e) for s, e in tracker.stream_conversations(engine, filters))
    chunks = export.WRITERS[fmt](records)
    await audit(request, "export", "console", format=fmt, filtres=filters.describe())
    name = f"conversations-{date.today().isoformat()}.{fmt}"
    resp = await request.respond(
        content_type=export.CONTENT_TYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
    loop = asyncio.get_running_loop()
    # One thread for the whole export: the database cursor stays in the thread that opened it.
    with ThreadPoolExecutor(max_workers=1) as worker:
        while True:
            batch = await loop.run_in_executor(worker, lambda: list(islice(chunks, 200)))
            if not batch:
                break
            await resp.send("".join(batch))
    await resp.eof()
    return None
