"""« Tableau de bord »: outcomes, procedure funnels, requests, not-understood messages and the
phone line for a period and a channel; its CSV/JSON download and the NLU export.

Every view and download is written to the audit log.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import yaml
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from console.config import ROOT
from console.conversations import CHANNEL_LABELS
from console.insights import charts, clusters, nlu, report, tables
from console.insights.facts import CATEGORIES, CATEGORY_LABELS
from console.views import audit, blocking, parse_day, render

bp = Blueprint("dashboard")
MAX_CHARTED_FUNNELS = 6


@lru_cache(maxsize=1)
def domain_intents() -> tuple[str, ...]:
    """The intents an example may be given (domain.yml), for the NLU export's list."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8")) or {}
    return tuple(sorted(str(i) for i in domain.get("intents") or [] if isinstance(i, str)))


def read_period(request: Request) -> tuple[report.Period, dict[str, str], list[str]]:
    """The period and channel of the query string, the raw values, French errors."""
    raw = {k: str(request.args.get(k) or "").strip()[:20] for k in ("since", "until", "channel")}
    default = report.Period.default()
    errors: list[str] = []
    period = report.Period(
        parse_day(raw["since"], "Du", errors) or default.since,
        parse_day(raw["until"], "Au", errors) or default.until,
        raw["channel"] or None,
    )
    errors += period.errors()
    raw["since"], raw["until"] = period.since.isoformat(), period.until.isoformat()
    return period, raw, errors


async def _report(request: Request, period: report.Period) -> report.Report:
    ctx = request.app.ctx
    return await blocking(
        report.up_to_date, ctx.store, ctx.tracker, ctx.settings.pseudonym_key, period
    )


def _page_context(found: report.Report) -> dict[str, Any]:
    """Charts and groups: CPU work done off the event loop with the queries."""
    funnels = list(found.funnels.items())
    return {
        "outcome_chart": charts.outcomes_per_day(found.per_day) if found.per_day else "",
        "intent_chart": charts.horizontal_bars(
            [i["intent"] for i in found.intents],
            [i["conversations"] for i in found.intents],
            "Conversations",
        )
        if found.intents
        else "",
        "funnel_charts": {
            form: charts.horizontal_bars(
                [s["label"] for s in steps], [s["reached"] for s in steps], "Conversations"
            )
            for form, steps in funnels[:MAX_CHARTED_FUNNELS]
        },
        "groups": clusters.group_messages(found.misunderstood),
    }


@bp.get("/dashboard")
async def dashboard_page(request: Request) -> HTTPResponse:
    period, raw, errors = read_period(request)
    if errors:
        return render(request, "dashboard.html", 400, errors=errors, raw=raw, r=None,
                      channels=CHANNEL_LABELS)  # fmt: skip
    found = await _report(request, period)
    context = await blocking(_page_context, found)
    await audit(request, "tableau_de_bord", "consultation", periode=period.describe())
    query = urlencode({k: v for k, v in raw.items() if v})
    return render(
        request, "dashboard.html", errors=[], raw=raw, r=found, channels=CHANNEL_LABELS,
        categories=CATEGORIES, category_labels=CATEGORY_LABELS, phone_labels=tables.PHONE_LABELS,
        intents=domain_intents(), query=query, **context,
    )  # fmt: skip


@bp.get("/api/dashboard")
async def dashboard_api(request: Request) -> HTTPResponse:
    period, _raw, errors = read_period(request)
    if errors:
        return response.json(
            {"error": {"code": "filtre_invalide", "message": " ".join(errors)}}, status=400
        )
    found = await _report(request, period)
    groups = await blocking(clusters.group_messages, found.misunderstood)
    await audit(request, "tableau_de_bord", "api", periode=period.describe())
    data = found.as_dict()
    data["not_understood_groups"] = clusters.described(groups)
    return response.json(data)


@bp.get("/dashboard/export")
async def dashboard_export(request: Request) -> HTTPResponse:
    period, _raw, errors = read_period(request)
    fmt = str(request.args.get("format") or "csv")
    if fmt not in ("csv", "json"):
        errors.append("Format inconnu : csv ou json.")
    if errors:
        return render(request, "error.html", 400, message=" ".join(errors))
    found = await _report(request, period)
    groups = clusters.described(await blocking(clusters.group_messages, found.misunderstood))
    await audit(request, "export_tableau_de_bord", "console", format=fmt,
                periode=period.describe())  # fmt: skip
    name = f"tableau-de-bord-{period.since}-{period.until}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    if fmt == "json":
        data = {**found.as_dict(), "not_understood_groups": groups}
        return response.json(data, headers=headers, ensure_ascii=False)
    return response.text(
        tables.to_csv(found, groups), headers=headers, content_type="text/csv; charset=utf-8"
    )


@bp.post("/dashboard/nlu")
async def nlu_export(request: Request) -> HTTPResponse:
    """The chosen messages as examples of the chosen intent (YAML for data/nlu/)."""
    form = request.form
    intent = str(form.get("intent") or "") if form else ""
    ids = [int(v) for v in (form.getlist("message") if form else None) or [] if str(v).isdigit()]
    if intent not in domain_intents() or not nlu.INTENT_RE.match(intent):
        return render(request, "error.html", 400, message="Choisissez une intention connue.")
    if not ids:
        return render(request, "error.html", 400, message="Cochez au moins un message.")
    chosen = await blocking(report.messages, request.app.ctx.store, ids)
    result = nlu.fragment(intent, [m["text"] for m in chosen])
    await audit(request, "export_nlu", intent, messages=len(chosen), gardes=result.kept,
                ecartes=result.left_out)  # fmt: skip
    return response.text(
        result.yaml,
        content_type="application/yaml; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="nlu-{intent}.yml"',
            "Cache-Control": "no-store",
        },
    )
