"""The Prometheus metrics of every service, defined once, and who may read them.

Each process of ``make run`` (Rasa, action server, portal, console, demo site) serves its own
metrics at ``GET /metrics`` (wired by :func:`carpimko.ops.observability.install`); they all share
these names, with a ``service`` label where several services count the same thing. This module
imports neither Sanic nor Rasa: the portal, console and demo site don't load Rasa.

Access: ``/metrics`` answers a loopback client (127.0.0.0/8, ::1); any other client gets 403
unless ``METRICS_TOKEN`` is set and it sends ``Authorization: Bearer $METRICS_TOKEN`` (a
Prometheus scraping pods by their address, deploy/k8s/). A reverse proxy on the same machine
looks like a loopback client: deploy/nginx.conf.template does not forward ``/metrics``.

One Sanic worker per process (as ``make run`` starts them): with several workers each would
count apart (prometheus-client's multiprocess mode is not wired).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import re

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

PATH = "/metrics"
TOKEN_SETTING = "METRICS_TOKEN"
CONTENT_TYPE = CONTENT_TYPE_LATEST
disable_created_metrics()  # no `*_created` series: half the page, and no dashboard reads them

# --- every service: HTTP -------------------------------------------------------------------
HTTP_REQUESTS = Counter(
    "carpimko_http_requests_total",
    "HTTP requests answered, by route template and status.",
    ["service", "method", "route", "status"],
)
HTTP_SECONDS = Histogram(
    "carpimko_http_request_duration_seconds",
    "Time from the first request middleware to the response, by route template.",
    ["service", "route"],
)
HTTP_ERRORS = Counter(
    "carpimko_http_errors_total", "Answers with a 5xx status.", ["service", "route"]
)
RATE_LIMITED = Counter(
    "carpimko_rate_limited_total",
    "Requests refused for a spent quota (HTTP 429).",
    ["service", "route"],
)

# --- Rasa: conversations (carpimko.rasa_patches.metrics) ---------------------------------------
MESSAGES = Counter("carpimko_messages_total", "User messages received, by channel.", ["channel"])
MESSAGE_SECONDS = Histogram(
    "carpimko_message_duration_seconds",
    "Time to process one user message (NLU, dialogue, actions, store), by channel.",
    ["channel"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30),
)
MESSAGE_ERRORS = Counter(
    "carpimko_message_errors_total",
    "User messages whose processing raised (store down, bug), by channel.",
    ["channel"],
)
INTENTS = Counter("carpimko_intents_total", "Intents recognised in user messages.", ["intent"])
FALLBACKS = Counter(
    "carpimko_fallbacks_total",
    "Fallbacks: 'nlu' (intent nlu_fallback), 'dialogue' (action_default_fallback).",
    ["kind"],
)
DIALOGUE_ACTIONS = Counter(
    "carpimko_dialogue_actions_total",
    "Actions the dialogue ran (responses, forms, custom actions), by name.",
    ["action"],
)
ACTION_CALL_FAILURES = Counter(
    "carpimko_action_call_failures_total",
    "Calls from Rasa to the action server that failed (the user got an apology).",
    ["reason"],
)

# --- action server: custom actions and the portal calls they make ----------------------------
ACTIONS = Counter(
    "carpimko_actions_total",
    "Custom actions run by the action server, by name and outcome (ok, rejected, error).",
    ["action", "outcome"],
)
ACTION_SECONDS = Histogram(
    "carpimko_action_duration_seconds", "Time to run one custom action.", ["action"]
)
PORTAL_CALLS = Counter(
    "carpimko_portal_calls_total",
    "Portal API calls by the action server: outcome ok, rejected (4xx), unavailable.",
    ["method", "endpoint", "outcome"],
)
PORTAL_SECONDS = Histogram(
    "carpimko_portal_call_duration_seconds",
    "Time of one portal call, retries included.",
    ["method", "endpoint"],
)

# --- portal: what members asked for ----------------------------------------------------------
HANDOFFS = Counter(
    "carpimko_handoffs_total",
    "Tickets opened for a human: 'handoff' (advisor) or 'callback' (call back).",
    ["kind"],
)
PASSWORD_RESETS = Counter(
    "carpimko_password_resets_total",
    "Password resets: 'started', then 'completed' with a new password.",
    ["step"],
)
LETTERS_QUEUED = Counter(
    "carpimko_letters_queued_total",
    "Postal letters queued (outbox 'courrier'): queue 'impression' (to print, including those "
    "a person released) or 'verification' (over PORTAL_LETTERS_PER_HOUR, held for a person).",
    ["queue"],
)

_ID_SEGMENT = re.compile(r"^(?!v\d+$).*\d|^[A-Za-z0-9_-]{20,}$")


def endpoint_label(path: str) -> str:
    """A path with its identifiers replaced by ``{id}`` (bounded label values): any segment
    with a digit (but a version, ``v1``) or a long token — ``/password-resets/ab12…/delivery`` →
    ``/password-resets/{id}/delivery``. The query string is dropped."""
    segments = path.split("?", 1)[0].split("/")
    return "/".join("{id}" if _ID_SEGMENT.search(s) else s for s in segments)


def is_loopback(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip.strip("[]")).is_loopback
    except ValueError:
        return False


def may_read(client_ip: str, authorization: str, token: str | None = None) -> bool:
    """Whether a client may read /metrics: loopback, or the bearer token when one is set."""
    if is_loopback(client_ip):
        return True
    token = os.environ.get(TOKEN_SETTING, "") if token is None else token
    if not token:
        return False
    return hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode())


def exposition() -> bytes:
    """The text format of every metric of this process."""
    return generate_latest()
