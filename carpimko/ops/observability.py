"""One line per Sanic service: ``observability.install(app, "portal")``.

It adds, ahead of the app's own middleware:

- ``GET /metrics`` (:mod:`carpimko.ops.metrics`): answered by the first request middleware, before
  the app's own checks (console login, action-server token), for a loopback client or the
  bearer ``METRICS_TOKEN``; 403 otherwise. No route is registered, so it appears in no
  OpenAPI description and no route listing;
- HTTP counters and latency by route template, 5xx and 429 answers counted apart;
- a request id (:mod:`carpimko.ops.tracing`): taken from ``X-Request-ID`` when the caller sent
  a valid one (Rasa → action server → portal), drawn otherwise, sent back in the answer and
  put on every log line written while the request is handled;
- with ``LOG_FORMAT=json`` (:mod:`carpimko.ops.jsonlog`), JSON log lines, and one ``request``
  line per answered request on the ``carpimko.access`` logger, its ``http`` field holding the
  method, route template (never the path or query, which may hold a token), status and
  milliseconds.
"""

from __future__ import annotations

import logging
import time

from sanic import Request, Sanic
from sanic.response import BaseHTTPResponse, HTTPResponse, raw

from carpimko.ops import jsonlog, metrics, tracing

access_log = logging.getLogger("carpimko.access")


def route_label(request: Request) -> str:
    """The route template (``/documents/<doc_id>``), or ``unmatched`` for a 404."""
    route = getattr(request, "route", None)
    return f"/{route.path}" if route is not None else "unmatched"


def install(app: Sanic, service: str) -> None:
    """Serve /metrics, count and time every request, carry the request id, log JSON."""
    log_requests = jsonlog.configure(service)

    async def json_logs(_app: Sanic, _loop: object) -> None:
        jsonlog.configure(service)  # handlers added since the app was built

    async def first(request: Request) -> HTTPResponse | None:
        request.ctx.started = time.perf_counter()
        request.ctx.request_id = tracing.begin(request.headers.get(tracing.HEADER))
        if request.path != metrics.PATH or request.method not in ("GET", "HEAD"):
            return None
        allowed = metrics.may_read(request.ip, request.headers.get("authorization", ""))
        if not allowed:
            return raw(b"forbidden\n", status=403, content_type="text/plain")
        return raw(metrics.exposition(), content_type=metrics.CONTENT_TYPE)

    async def last(request: Request, response: BaseHTTPResponse) -> None:
        rid = getattr(request.ctx, "request_id", None)
        if rid:
            response.headers.setdefault(tracing.HEADER, rid)
        if request.path == metrics.PATH:
            return
        route = route_label(request)
        status = response.status
        metrics.HTTP_REQUESTS.labels(service, request.method, route, str(status)).inc()
        started = getattr(request.ctx, "started", None)
        elapsed = time.perf_counter() - started if started is not None else 0.0
        if started is not None:
            metrics.HTTP_SECONDS.labels(service, route).observe(elapsed)
        if log_requests:
            http = {"method": request.method, "route": route, "status": status}
            access_log.info("request", extra={"http": {**http, "ms": round(elapsed * 1e3, 1)}})
        if status >= 500:
            metrics.HTTP_ERRORS.labels(service, route).inc()
        elif status == 429:
            metrics.RATE_LIMITED.labels(service, route).inc()

    app.register_listener(json_logs, "before_server_start")
    app.request_middleware.appendleft(first)
    # Sanic runs response middleware last-registered first: this one runs before the app's
    # header middleware, on the response the handler (or error handler) produced.
    app.register_middleware(last, "response")
