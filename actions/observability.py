"""The action server's metrics and logs: the shared wiring, each custom action's name and
outcome, and the conversation it runs for on its log lines (hashed, carpimko.ops.tracing).

rasa-sdk runs an action per ``POST /webhook`` whose body names it (``next_action``); its
answer says how it went: 200 ran, 400 rejected (a form refusing a slot: normal dialogue),
404 no such action, anything else an error.
"""

from __future__ import annotations

import time

from sanic import Request, Sanic
from sanic.response import BaseHTTPResponse

from carpimko.ops import metrics, observability, tracing

WEBHOOK = "/webhook"
OUTCOMES = {200: "ok", 400: "rejected"}


def action_name(request: Request, status: int) -> str:
    """``next_action`` of the body, or ``unknown`` (bounded labels: 404 = no such action)."""
    try:
        body = request.json
    except Exception:  # not JSON: rasa-sdk answered 400 already
        return "unknown"
    name = body.get("next_action") if isinstance(body, dict) else None
    return name if isinstance(name, str) and status != 404 else "unknown"


def sender_id(request: Request) -> str | None:
    """The conversation the action is run for (``tracker.sender_id`` of the body)."""
    try:
        tracker = request.json.get("tracker") or {}
        sender = tracker.get("sender_id")
    except Exception:  # not the JSON rasa-sdk expects: it will answer 400
        return None
    return sender if isinstance(sender, str) else None


def install(app: Sanic) -> None:
    """``/metrics``, HTTP counters, request id, and actions by name and outcome."""
    observability.install(app, "actions")

    async def bind_conversation(request: Request) -> None:
        if request.path == WEBHOOK and request.method == "POST":
            tracing.bind_conversation(sender_id(request))

    async def count_action(request: Request, response: BaseHTTPResponse) -> None:
        if request.path != WEBHOOK or request.method != "POST" or response.status == 401:
            return
        name = action_name(request, response.status)
        metrics.ACTIONS.labels(name, OUTCOMES.get(response.status, "error")).inc()
        started = getattr(request.ctx, "started", None)
        if started is not None:
            metrics.ACTION_SECONDS.labels(name).observe(time.perf_counter() - started)

    app.register_middleware(bind_conversation, "request")
    app.register_middleware(count_action, "response")
