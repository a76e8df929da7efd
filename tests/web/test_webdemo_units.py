"""The demo site without a browser or a stack: cookie signature, escaping, the file relay."""

from __future__ import annotations

import asyncio
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.devstack import free_port
from webdemo import accessibility, pages
from webdemo.app import create_app
from webdemo.config import Settings
from webdemo.session import COOKIE, sign, unsign

FORM = "application/x-www-form-urlencoded"


def test_cookie_signature_round_trip_and_forgery() -> None:
    value = sign("a.b.c", "secret")
    assert unsign(value, "secret") == "a.b.c"
    assert unsign(value, "other") is None
    assert unsign("a.b.c~" + "0" * 64, "secret") is None
    assert unsign(None, "secret") is None and unsign("no-signature", "secret") is None


def test_pages_escape_every_value() -> None:
    widget = pages.Widget('http://x"><script>', "/socket.io", "espace", 'tok"en')
    person = {"first_name": "<script>alert(1)</script>", "last_name": "&", "dossier_number": "1"}
    html = pages.home_page(person, widget, "http://portal/demo/mailbox?a=1&b=2")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)" in html
    assert 'data-token="tok&quot;en"' in html and 'data-server="http://x&quot;&gt;' in html
    assert "mailbox?a=1&amp;b=2" in html
    login = pages.login_page("/m", error="<b>non</b>", dossier='1"2')
    assert "&lt;b&gt;non&lt;/b&gt;" in login and 'value="1&quot;2"' in login


def test_widget_upload_route_needs_the_session_and_a_file_and_says_why_in_french() -> None:
    """The site's relay of a widget file (the real portal path is in the browser test).

    Run on a loop of its own thread: the browser tests' session-wide Playwright keeps an event
    loop running in the main thread, where pytest-asyncio cannot start another.
    """
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(asyncio.run, _upload_route_checks()).result()


async def _upload_route_checks() -> None:
    settings = Settings(portal_url=f"http://127.0.0.1:{free_port()}", secret="s" * 32)
    app = create_app(settings, name=f"webdemo_units_{uuid.uuid4().hex[:8]}")
    pdf = {"file": ("arret.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}

    _, anonymous = await app.asgi_client.post("/espace-personnel/fichiers", files=pdf)
    assert anonymous.status == 401
    assert anonymous.json["error"]["message"] == "Votre session a expiré : reconnectez-vous."

    cookies = {COOKIE: sign("a.b.c", settings.secret)}
    _, no_file = await app.asgi_client.post("/espace-personnel/fichiers", cookies=cookies)
    assert no_file.status == 422 and "PDF, JPG, JPEG ou PNG" in no_file.json["error"]["message"]

    _, portal_down = await app.asgi_client.post(
        "/espace-personnel/fichiers", cookies=cookies, files=pdf
    )
    assert portal_down.status == 502
    assert "momentanément indisponible" in portal_down.json["error"]["message"]

    _, huge_login = await app.asgi_client.post(
        "/espace-personnel", content=b"password=" + b"x" * 100_000, headers={"Content-Type": FORM}
    )
    assert huge_login.status == 413

    page = pages.widget_html(pages.Widget("http://rasa", "/socket.io", "espace", "t", "/up"))
    assert 'data-upload="/up"' in page
    assert "data-upload" not in pages.widget_html(pages.Widget("http://rasa", "/s", "public"))


def test_statement_names_the_axe_core_version_the_tests_inject() -> None:
    installed = Path(accessibility.PACKAGE_JSON).parent / "node_modules/axe-core/package.json"
    version = json.loads(installed.read_text())["version"]
    assert accessibility.axe_version() == version
    assert f"axe-core {version}" in accessibility.declaration_main()


def test_every_page_links_the_accessibility_statement_in_its_footer() -> None:
    widget = pages.Widget("http://rasa", "/socket.io", "public")
    person: dict[str, object] = {"first_name": "Jeanne", "last_name": "Dupont"}
    link = f'<a href="{accessibility.PATH}">{accessibility.TITLE}</a>'
    for html in (
        pages.public_page(widget, "http://portal/demo/mailbox"),
        pages.login_page("http://portal/demo/mailbox"),
        pages.home_page(person, widget, "http://portal/demo/mailbox"),
        pages.accessibility_page(widget),
    ):
        footer = html.split('<footer class="site-footer">', 1)[1].split("</footer>", 1)[0]
        assert link in footer
