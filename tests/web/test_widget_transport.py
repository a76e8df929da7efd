"""The widget never sends the portal token in clear: on an https page it reaches Rasa over
https/wss even when the site gives it an http:// Rasa URL. The pages are served by the browser
(Playwright routes): no TLS server is needed to see which URL the widget asks for."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, Route

WIDGET = Path(__file__).resolve().parents[2] / "web" / "static" / "widget.js"
PAGE = (
    '<!doctype html><html lang="fr"><body><div id="carpimko-chat" data-scope="public" '
    'data-server="http://rasa.carpimko.test:5005" data-path="/socket.io"></div>'
    '<script src="/static/widget.js"></script></body></html>'
)


@pytest.mark.parametrize(("site", "expected"), [("https", "https"), ("http", "http")])
def test_the_widget_follows_the_page_to_https(page: Page, site: str, expected: str) -> None:
    page.route(
        f"{site}://www.carpimko.test/", lambda r: r.fulfill(body=PAGE, content_type="text/html")
    )
    page.route(
        f"{site}://www.carpimko.test/static/widget.js",
        lambda r: r.fulfill(body=WIDGET.read_text(), content_type="application/javascript"),
    )
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))

    def refuse(route: Route) -> None:
        route.abort()

    page.route("**/socket.io/**", refuse)
    with page.expect_request(lambda r: "/socket.io/" in r.url, timeout=30_000) as polling:
        page.goto(f"{site}://www.carpimko.test/")
    assert polling.value.url.startswith(f"{expected}://rasa.carpimko.test:5005/socket.io/")
    socket_scheme = "wss" if expected == "https" else "ws"
    assert all(url.startswith(f"{socket_scheme}://") for url in sockets), sockets
