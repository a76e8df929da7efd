"""Espace Personnel: portal login, and the portal token handed to the bot in message metadata.

The socket.io server here is tests/web/recorder.py: Rasa 3.6's own SocketIOInput, recording
each UserMessage, so the assertions are on what Rasa itself parses out of the widget's events.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect
from web_testkit import BOT, Stack, axe_violations, enable_axe, exchange, open_widget, send


def recorded(path: Path) -> list[dict[str, Any]]:
    """Messages the recorder's Rasa channel received, oldest first."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def log_in(page: Page, site: str, dossier: str, password: str) -> None:
    """Fills the login form like a person would (labels, not selectors)."""
    page.goto(f"{site}/espace-personnel")
    page.get_by_label("Affilié", exact=True).check()
    page.get_by_label("Numéro de dossier").fill(dossier)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def test_sophie_logs_in_and_the_token_reaches_rasa(
    recorder_site: tuple[str, Path], page: Page, stack: Stack
) -> None:
    site, record = recorder_site
    log_in(page, site, "7654321", "Carpimko2024")
    expect(page.locator("h1")).to_have_text("Bonjour Sophie Bernard")
    cookie = next(c for c in page.context.cookies() if c["name"] == "carpimko_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    token = page.locator("#carpimko-chat").get_attribute("data-token")
    assert token and token.count(".") == 2  # the portal's JWT

    open_widget(page)
    expect(exchange(page, "bonjour")).to_contain_text("Message reçu.")
    session = page.evaluate("() => sessionStorage.getItem('carpimko-chat:espace:session')")
    last = recorded(record)[-1]
    assert last["text"] == "bonjour"
    assert last["metadata"]["portal_token"] == token
    # What the widget sent, and the address the channel saw (never one the page could set).
    assert set(last["metadata"]) == {"portal_token", "message_id", "client_ip"}
    assert last["metadata"]["client_ip"] == "127.0.0.1"
    assert last["sender_id"] == json.loads(session)

    me = f"{stack.portal_url}/api/v1/me"
    assert httpx.get(me, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("link", name="Espace Personnel")).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == "carpimko_session"]
    # The token was in the page: logging out revoked it at the portal.
    assert httpx.get(me, headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_public_page_sends_no_token(recorder_site: tuple[str, Path], page: Page) -> None:
    site, record = recorder_site
    page.goto(site)
    open_widget(page)
    exchange(page, "bonjour anonyme")
    last = recorded(record)[-1]
    assert last["text"] == "bonjour anonyme"
    assert sorted(last["metadata"]) == ["client_ip", "message_id"]


def test_every_socketio_request_names_the_conversation_and_messages_are_numbered(
    recorder_site: tuple[str, Path], page: Page
) -> None:
    """nginx routes a conversation to one Rasa instance by ?sender= (docs/scaling.md), and a
    message resent after a reconnection keeps its id (the server processes it once)."""
    site, record = recorder_site
    urls: list[str] = []
    page.on("websocket", lambda ws: urls.append(ws.url))
    page.on("request", lambda r: urls.append(r.url) if "/socket.io/" in r.url else None)
    page.goto(site)
    open_widget(page)
    expect(exchange(page, "premier")).to_contain_text("Message reçu.")
    expect(exchange(page, "second")).to_contain_text("Message reçu.")
    session = json.loads(
        page.evaluate("() => sessionStorage.getItem('carpimko-chat:public:session')")
    )
    assert urls and all(f"sender={session}" in url for url in urls), urls
    first, second = recorded(record)[-2:]
    assert (first["text"], second["text"]) == ("premier", "second")
    assert first["sender_id"] == second["sender_id"] == session
    ids = [first["metadata"]["message_id"], second["metadata"]["message_id"]]
    assert len(set(ids)) == 2 and all(re.fullmatch(r"[0-9a-f]{12}-\d+", i) for i in ids)


def test_wrong_password_is_refused(stack: Stack, page: Page) -> None:
    log_in(page, stack.web_url, "7654321", "pas-le-bon")
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#carpimko-chat")).to_have_count(0)
    page.goto(f"{stack.web_url}/espace-personnel/accueil")
    expect(page).to_have_url(f"{stack.web_url}/espace-personnel")


def test_links_buttons_and_download_cards_are_safe(
    recorder_site: tuple[str, Path], page: Page
) -> None:
    site, _ = recorder_site
    enable_axe(page)
    page.goto(site)
    open_widget(page)
    bot = {
        "text": "Voir [le guide](https://www.carpimko.com/guide), [piège](javascript:alert(1)) "
        "et [l'attestation](http://127.0.0.1:9/api/v1/files/abc).",
        "quick_replies": [{"title": "<b>Oui</b>", "payload": "/affirm"}],
    }
    message = exchange(page, "echo:" + json.dumps(bot))
    links = message.locator("a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert "https://www.carpimko.com/guide" in hrefs
    assert not [h for h in hrefs if h and h.startswith("javascript")]
    expect(message).to_contain_text("piège")
    expect(message.locator(".cw-card-link")).to_have_attribute(
        "href", "http://127.0.0.1:9/api/v1/files/abc"
    )
    expect(message.locator(".cw-reply")).to_have_text("<b>Oui</b>")
    # The card's name starts with its visible words (WCAG 2.5.3), then names the document.
    card_link = message.get_by_role("link", name="Télécharger le PDF : l'attestation")
    expect(card_link).to_have_text("Télécharger le PDF : l'attestation")
    assert axe_violations(page) == []
    card = {"attachment": {"type": "file", "payload": {"src": "javascript:x", "title": "T"}}}
    before = page.locator(BOT).count()
    send(page, "echo:" + json.dumps(card))
    exchange(page, "et ensuite")
    expect(page.locator(BOT)).to_have_count(before + 1)  # the unsafe card was not shown at all
    expect(page.locator(BOT).last).to_have_text("Assistant : Message reçu.")
