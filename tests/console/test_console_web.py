"""The console over a tracker store seeded through Rasa's API: filters, transcript, masking,
sessions, CSRF, audit, and the handoff queue when the portal is down."""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta

import httpx
import pytest
from console_testkit import EMAIL, IBAN, STAFF_LOGIN, XSS, log_in

from console import staff
from console.app import create_app
from console.config import Settings

pytestmark = pytest.mark.asyncio


async def senders(client: httpx.AsyncClient, **filters: str) -> set[str]:
    answer = await client.get("/api/conversations", params=filters)
    assert answer.status_code == 200, answer.text
    return {item["sender_id"] for item in answer.json()["items"]}


async def test_filters_return_the_right_conversations(client: httpx.AsyncClient) -> None:
    await log_in(client)
    everything = await senders(client)
    assert len(everything) == 6
    assert await senders(client, channel="web") == {
        "web-anonyme-reinitialisation",
        "web-connecte-arret",
    }
    assert await senders(client, channel="ivr") == {"ivr-conseiller"}
    assert await senders(client, channel="rest") == {
        "rest-ancienne",
        "rest-injection",
        "rest-reprise",
    }
    assert await senders(client, intent="forgot_password") == {
        "web-anonyme-reinitialisation",
        "web-connecte-arret",
        "rest-reprise",
    }
    assert await senders(client, outcome="completed") == {"web-anonyme-reinitialisation"}
    assert await senders(client, outcome="abandoned") == {"web-connecte-arret", "rest-reprise"}
    assert await senders(client, outcome="handed_off") == {"ivr-conseiller"}
    assert await senders(client, outcome="none") == {"rest-ancienne", "rest-injection"}
    assert await senders(client, handoff="oui") == {"ivr-conseiller"}
    assert await senders(client, handoff="non") == everything - {"ivr-conseiller"}
    assert await senders(client, dossier="1234567") == {"web-anonyme-reinitialisation"}
    assert await senders(client, dossier="76 54 321") == {"ivr-conseiller"}
    today = date.today()
    recent = (today - timedelta(days=3)).isoformat()
    assert await senders(client, since=recent) == {
        "ivr-conseiller",
        "rest-injection",
        "rest-reprise",
    }
    old = (today - timedelta(days=300)).isoformat()
    assert await senders(client, until=old) == {"rest-ancienne", "rest-reprise"}
    assert await senders(client, channel="web", outcome="abandoned") == {"web-connecte-arret"}
    assert await senders(client, sender="injection") == {"rest-injection"}


async def test_list_columns_and_pagination(settings: Settings) -> None:
    from console_testkit import FAST_HASHER, served

    app = create_app(Settings(**{**vars(settings), "page_size": 4}), "console_pages", FAST_HASHER)
    async with served(app) as client:
        await log_in(client)
        first = (await client.get("/api/conversations")).json()
        second = (await client.get("/api/conversations", params={"page": 2})).json()
        assert (first["total"], first["pages"], len(first["items"]), len(second["items"])) == (
            6,
            2,
            4,
            2,
        )
        assert first["items"][0]["sender_id"] == "rest-reprise"  # most recent activity first
        by_id = {i["sender_id"]: i for i in first["items"] + second["items"]}
        assert by_id["web-connecte-arret"]["authenticated"] is True
        assert by_id["web-anonyme-reinitialisation"]["authenticated"] is False
        assert by_id["web-anonyme-reinitialisation"]["intents"] == ["forgot_password", "inform"]
        page = await client.get("/conversations", params={"page": 2})
        assert "page 2 sur 2" in page.text and "Précédente" in page.text


async def test_bad_filters_get_a_french_message(client: httpx.AsyncClient) -> None:
    await log_in(client)
    page = await client.get("/conversations", params={"since": "23/11/2026", "dossier": "1"})
    assert page.status_code == 400
    assert "AAAA-MM-JJ" in page.text and "au moins 3 chiffres" in page.text
    api = await client.get("/api/conversations", params={"channel": "fax"})
    assert api.status_code == 400 and "Canal inconnu" in api.json()["error"]["message"]


async def test_transcript_reads_like_the_chat_with_data_masked(client: httpx.AsyncClient) -> None:
    await log_in(client)
    page = await client.get("/conversations/web-anonyme-reinitialisation")
    assert page.status_code == 200
    html = page.text
    assert re.search(r'class="msg user"><div class="bubble">affilié, numéro \*\*\*\*\*67<', html)
    assert 'class="msg bot"><div class="bubble">Êtes-vous affilié ou ayant droit ?' in html
    assert '<span class="button">Affilié</span>' in html
    assert "1234567" not in html
    assert "Démarche aboutie" in html


async def test_injected_script_is_rendered_as_text(client: httpx.AsyncClient) -> None:
    await log_in(client)
    html = (await client.get("/conversations/rest-injection")).text
    assert "&lt;script&gt;alert(&#39;pirate&#39;)&lt;/script&gt;" in html
    assert XSS not in html
    assert IBAN not in html and EMAIL not in html
    assert "FR76 **** **** 0189" in html
    api = (await client.get("/api/conversations/rest-injection")).json()
    text = next(t for t in api["turns"] if t["role"] == "user")["text"]
    assert text.startswith(XSS) and IBAN not in text and EMAIL not in text


async def test_every_page_and_api_requires_a_staff_session(client: httpx.AsyncClient) -> None:
    pages = ["/", "/conversations", "/conversations/rest-injection", "/handoffs", "/audit",
             "/export?format=jsonl"]  # fmt: skip
    apis = ["/api/conversations", "/api/conversations/rest-injection", "/api/handoffs",
            "/api/audit", "/api/nothing"]  # fmt: skip
    for path in pages:
        answer = await client.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login?next="), path
    for path in apis:
        answer = await client.get(path)
        assert answer.status_code == 401, path
        assert answer.json()["error"]["code"] == "session_requise"
    assert (await client.post("/logout")).status_code == 303
    # a made-up cookie is no session either
    client.cookies.set("console_session", "forged")
    assert (await client.get("/api/conversations")).status_code == 401
    assert (await client.get("/health")).json()["status"] == "ok"


async def test_the_router_has_no_route_left_unprotected(settings: Settings) -> None:
    app = create_app(settings, "console_routes")
    public = {"/health", "/login", "/favicon.ico"}
    for route in app.router.routes:
        path = "/" + route.path
        if path in public or path.startswith("/static/"):
            continue
        from console_testkit import FAST_HASHER, served

        concrete = re.sub(r"<[^>]+>", "x", path)
        async with served(create_app(settings, "console_probe", FAST_HASHER)) as client:
            for method in route.methods:
                answer = await client.request(method, concrete)
                assert answer.status_code in (303, 401), (method, concrete)


async def test_session_cookie_flags_csrf_and_logout(client: httpx.AsyncClient) -> None:
    form = await client.get("/login")
    answer = await client.post(
        "/login", data={"login": STAFF_LOGIN, "password": "x" * 20, "csrf_token": "wrong"}
    )
    assert answer.status_code == 403
    csrf = await log_in(client)
    assert form.status_code == 200
    # cookie attributes
    await client.post("/logout", data={"csrf_token": csrf})
    token = await log_in(client)
    raw_login = await client.get("/login")
    assert raw_login.status_code == 200
    assert (await client.post("/logout")).status_code == 403  # no CSRF token
    assert (await client.post("/logout", data={"csrf_token": "x"})).status_code == 403
    assert (await client.get("/api/conversations")).status_code == 200
    bye = await client.post("/logout", data={"csrf_token": token})
    assert bye.status_code == 303
    assert (await client.get("/api/conversations")).status_code == 401


async def test_cookie_is_httponly_and_samesite_strict(settings: Settings) -> None:
    from console_testkit import CSRF_RE, FAST_HASHER, STAFF_PASSWORD, served

    async with served(create_app(settings, "console_cookie", FAST_HASHER)) as client:
        form = await client.get("/login")
        match = CSRF_RE.search(form.text)
        assert match
        answer = await client.post(
            "/login",
            data={"login": STAFF_LOGIN, "password": STAFF_PASSWORD, "csrf_token": match.group(1)},
        )
        cookie = next(
            v
            for k, v in answer.headers.multi_items()
            if k == "set-cookie" and "console_session=" in v
        ).lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie


async def test_wrong_password_and_throttling(client: httpx.AsyncClient, settings: Settings) -> None:
    from console_testkit import CSRF_RE, FAST_HASHER

    staff.create_staff(
        staff.open_store(settings.database_url), FAST_HASHER, "agent2", "Un-mot-de-passe-solide"
    )

    for attempt in range(6):
        form = await client.get("/login")
        match = CSRF_RE.search(form.text)
        assert match
        answer = await client.post(
            "/login",
            data={
                "login": STAFF_LOGIN,
                "password": "mauvais-mot-de-passe",
                "csrf_token": match.group(1),
            },
        )
        expected = 401 if attempt < 5 else 429
        assert answer.status_code == expected
    assert "Trop de tentatives" in answer.text
    form = await client.get("/login")
    match = CSRF_RE.search(form.text)
    assert match
    await client.post(
        "/login",
        data={"login": "Carpimko2024!", "password": "x", "csrf_token": match.group(1)},
    )
    await log_in(client, "agent2", "Un-mot-de-passe-solide")
    entries = (await client.get("/api/audit")).json()["entries"]
    refused = [e for e in entries if e["action"] == "connexion_refusee"]
    assert refused[0]["actor"].startswith("[mot de passe masqué]")  # typed in the wrong field
    assert "Carpimko2024" not in str(entries)


async def test_sessions_expire(settings: Settings) -> None:
    from console_testkit import FAST_HASHER, served

    short = Settings(**{**vars(settings), "session_ttl": 1})
    async with served(create_app(short, "console_ttl", FAST_HASHER)) as client:
        await log_in(client)
        await asyncio.sleep(1.5)
        answer = await client.get("/conversations")
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


async def test_views_searches_and_exports_are_audited(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await log_in(client)
    await client.get("/conversations/ivr-conseiller")
    await client.get("/conversations", params={"dossier": "7654321"})
    export = await client.get("/export", params={"format": "jsonl", "channel": "ivr"})
    assert export.status_code == 200
    assert export.headers["content-disposition"].startswith("attachment")
    lines = export.text.splitlines()
    assert len(lines) == 1 and '"ivr-conseiller"' in lines[0] and "7654321" not in lines[0]
    entries, _ = staff.audit_entries(staff.open_store(settings.database_url), 20)
    actions = [(e["actor"], e["action"], e["target"]) for e in entries]
    assert (STAFF_LOGIN, "consultation", "ivr-conseiller") in actions
    assert (STAFF_LOGIN, "export", "console") in actions
    search = next(e for e in entries if e["action"] == "recherche")
    assert search["detail"]["filtres"]["dossier"] == "*****21"  # the number is masked there too
    page = await client.get("/audit")
    assert "consultation" in page.text and "ivr-conseiller" in page.text


async def test_handoff_queue_says_when_the_portal_is_down(client: httpx.AsyncClient) -> None:
    await log_in(client)
    page = await client.get("/handoffs")
    assert page.status_code == 502 and "Le portail ne répond pas" in page.text
    assert (await client.get("/api/handoffs")).json()["error"]["code"] == "portail_indisponible"


async def test_handoff_queue_shows_open_tickets_with_their_conversation(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A real portal (tests/portal's way) with one open handoff on a seeded conversation."""
    from console_testkit import FAST_HASHER, served

    from portal.app import create_app as create_portal
    from portal.config import Settings as PortalSettings
    from portal.db import migrate

    url = f"sqlite:///{tmp_path_factory.mktemp('portal') / 'portal.sqlite3'}"
    migrate(url)
    key = "console-test-service-key"
    portal_app = create_portal(
        PortalSettings(database_url=url, secret="s" * 40, service_key=key), name="portal_console"
    )
    async with served(portal_app) as portal:
        created = await portal.post(
            "/api/v1/handoffs",
            headers={"X-Service-Key": key},
            json={
                "conversation_id": "ivr-conseiller",
                "channel": "ivr",
                "summary": "Sujets : human_handoff. Rappeler au 06 12 34 56 78.",
                "dossier_number": "7654321",
            },
        )
        assert created.status_code == 201, created.text
        linked = Settings(**{**vars(settings), "portal_url": str(portal.base_url).rstrip("/"),
                             "portal_service_key": key})  # fmt: skip
        async with served(create_app(linked, "console_queue", FAST_HASHER)) as client:
            await log_in(client)
            queue = (await client.get("/api/handoffs")).json()
            assert queue["count"] == 1
            ticket = queue["tickets"][0]
            assert ticket["dossier_number"] == "*****21"
            assert "06 ** ** ** 78" in ticket["summary"] and "12 34 56" not in ticket["summary"]
            assert ticket["conversation"]["outcome"] == "handed_off"
            page = await client.get("/handoffs")
            assert created.json()["reference"] in page.text
            assert 'href="/conversations/ivr-conseiller"' in page.text


async def test_the_login_limiter_forgets_names_after_its_window_and_stays_bounded(
    settings: Settings,
) -> None:
    from console_testkit import CSRF_RE, FAST_HASHER, served

    from carpimko.ops.rates import SlidingWindows

    now = [1000.0]
    app = create_app(settings, "console_limiter", FAST_HASHER)
    app.ctx.login_failures = SlidingWindows(clock=lambda: now[0], max_keys=3)

    async def wrong(client: httpx.AsyncClient, login: str) -> int:
        match = CSRF_RE.search((await client.get("/login")).text)
        assert match
        data = {"login": login, "password": "mauvais", "csrf_token": match.group(1)}
        return (await client.post("/login", data=data)).status_code

    async with served(app) as client:
        assert [await wrong(client, STAFF_LOGIN) for _ in range(6)] == [401] * 5 + [429]
        assert await wrong(client, STAFF_LOGIN.upper()) == 429  # same name, other case
        now[0] += 901  # past the 15-minute window: the name may try again
        assert await wrong(client, STAFF_LOGIN) == 401
        for n in range(10):  # a stream of invented names keeps only the latest three
            await wrong(client, f"inconnu-{n}")
        assert len(app.ctx.login_failures) == 3
        await log_in(client)
