"""The demo site's pure parts: cookie signature and escaping (no browser, no stack)."""

from __future__ import annotations

from webdemo import pages
from webdemo.session import sign, unsign


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
