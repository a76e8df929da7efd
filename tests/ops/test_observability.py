"""/metrics on a Sanic app: open to loopback only, ahead of the app's own checks, counting.

A small app stands for a service: a login check in its request middleware (as the console
and the action server have), routes answering 200, 429 and 500. Served for real by Sanic's
test client (a loopback client)."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families
from sanic import Request, Sanic
from sanic.response import HTTPResponse, json, text

from actions.server import create_action_app
from carpimko.ops import metrics, observability, tracing

Sanic.test_mode = True


def sample(body: str, name: str, **labels: str) -> float:
    """The value of one sample of an exposition text (0 when absent)."""
    for family in text_string_to_metric_families(body):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return 0.0


def make_app(name: str) -> Sanic:
    app = Sanic(name, configure_logging=False)

    @app.middleware("request")
    async def login_required(request: Request) -> HTTPResponse | None:
        if request.headers.get("x-staff") != "yes":
            return json({"error": "login"}, status=401)
        return None

    @app.get("/items/<item_id>")
    async def item(request: Request, item_id: str) -> HTTPResponse:
        return json({"id": item_id, "request_id": tracing.request_id()})

    @app.get("/busy")
    async def busy(_: Request) -> HTTPResponse:
        return text("trop de demandes", status=429)

    @app.get("/broken")
    async def broken(_: Request) -> HTTPResponse:
        raise RuntimeError("boom")

    observability.install(app, name)
    return app


def test_metrics_open_to_loopback_before_the_apps_login_check_and_counting() -> None:
    app = make_app("svc_counting")
    staff = {"x-staff": "yes"}
    for item_id in ("1", "2"):
        app.test_client.get(f"/items/{item_id}", headers=staff)
    app.test_client.get("/busy", headers=staff)
    app.test_client.get("/broken", headers=staff)
    app.test_client.get("/nowhere", headers=staff)
    _, refused = app.test_client.get("/items/3")

    _, response = app.test_client.get("/metrics")  # no login header: still served
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/plain")
    body = response.text
    svc = {"service": "svc_counting"}
    route = "/items/<item_id:str>"
    assert sample(body, "carpimko_http_requests_total", **svc, route=route, status="200") == 2
    assert sample(body, "carpimko_http_requests_total", **svc, route=route, status="401") == 1
    assert sample(body, "carpimko_http_request_duration_seconds_count", **svc, route=route) == 3
    assert sample(body, "carpimko_rate_limited_total", **svc, route="/busy") == 1
    assert sample(body, "carpimko_http_errors_total", **svc, route="/broken") == 1
    assert sample(body, "carpimko_http_requests_total", **svc, route="unmatched") == 1
    assert sample(body, "carpimko_http_requests_total", **svc, route="/metrics") == 0
    assert refused.status == 401


def test_request_id_kept_from_the_caller_or_drawn_and_sent_back() -> None:
    app = make_app("svc_request_id")
    staff = {"x-staff": "yes"}
    _, kept = app.test_client.get("/items/1", headers={**staff, "X-Request-ID": "abc-123-def"})
    assert kept.json["request_id"] == "abc-123-def"
    assert kept.headers["x-request-id"] == "abc-123-def"
    _, drawn = app.test_client.get("/items/1", headers={**staff, "X-Request-ID": "bad id!"})
    assert drawn.json["request_id"] == drawn.headers["x-request-id"] != "bad id!"
    assert len(drawn.json["request_id"]) == 32


def test_only_loopback_or_the_bearer_token_may_read() -> None:
    assert metrics.may_read("127.0.0.1", "", token="")
    assert metrics.may_read("::1", "", token="")
    assert not metrics.may_read("10.0.0.7", "", token="")
    assert not metrics.may_read("10.0.0.7", "Bearer ", token="")
    assert not metrics.may_read("10.0.0.7", "Bearer wrong", token="s3cret")
    assert metrics.may_read("10.0.0.7", "Bearer s3cret", token="s3cret")
    assert not metrics.may_read("not-an-ip", "", token="")


def test_metrics_refused_to_another_client(monkeypatch) -> None:
    """The check reads the client address Sanic gives: a non-loopback one gets 403."""
    app = make_app("svc_remote")
    monkeypatch.setattr(Request, "ip", property(lambda _: "192.0.2.10"))
    _, response = app.test_client.get("/metrics")
    assert response.status == 403
    assert "carpimko_" not in response.text
    monkeypatch.setenv(metrics.TOKEN_SETTING, "jeton-de-test")
    _, token = app.test_client.get("/metrics", headers={"Authorization": "Bearer jeton-de-test"})
    assert token.status == 200 and "carpimko_http_requests_total" in token.text


def test_identifiers_leave_portal_paths() -> None:
    assert metrics.endpoint_label("/api/v1/password-resets/42/delivery") == (
        "/api/v1/password-resets/{id}/delivery"
    )
    assert metrics.endpoint_label("/api/v1/contact?x=1") == "/api/v1/contact"
    assert metrics.endpoint_label("/api/v1/me/uploads/Zk3_aaaaaaaaaaaaaaaaaaaa") == (
        "/api/v1/me/uploads/{id}"
    )


def test_action_server_metrics_need_no_action_token_and_count_actions() -> None:
    app = create_action_app("jeton", package="actions")
    app.test_client.post(
        "/webhook",
        json={"next_action": "action_nobody_wrote", "tracker": {"sender_id": "x", "events": []}},
        headers={"X-Action-Token": "jeton"},
    )
    _, response = app.test_client.get("/metrics")
    assert response.status == 200
    assert sample(response.text, "carpimko_actions_total", action="unknown", outcome="error") >= 1
