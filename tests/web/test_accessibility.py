"""WCAG 2.2 A/AA audit of the demo site with axe-core (real stack, Debian's chromium), and the
« Déclaration d'accessibilité » it publishes.

Every page and state the statement lists is scanned here: public and logged-in pages with the
widget closed, open, and after the bot's answers with buttons (and after one is chosen), the
login form (also with its error), and the statement itself; then what the bot rarely shows
(a file picker, a download card, the « injoignable » status) and a 320 px screen, with the
recorder (tests/web/recorder.py) scripting the answers. A violation fails the test with the
rule and the element.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect
from test_espace_personnel import log_in
from web_testkit import BOT, USER, Stack, axe_violations, enable_axe, exchange, open_widget

from benchmarks.devstack import free_port
from webdemo import accessibility

SCANNED_PATHS = {"/", "/espace-personnel", "/espace-personnel/accueil", accessibility.PATH}
LINK_NAME = accessibility.TITLE


def assert_accessible(page: Page, state: str) -> None:
    """No axe-core violation on the page as it is now; `state` names it in the failure."""
    assert urlsplit(page.url).path in SCANNED_PATHS, f"{page.url} is not in the statement"
    violations = axe_violations(page)
    assert not violations, f"{state}: " + "\n".join(violations)


def widget_ready(page: Page) -> None:
    """The widget has mounted (its launcher is in the page)."""
    expect(page.locator("#carpimko-chat")).to_have_attribute("data-ready", "true")
    expect(page.locator(".cw-launcher")).to_be_visible()


def audit_widget_states(page: Page, where: str) -> None:
    """Closed, open, after answers with buttons, after a button is chosen."""
    widget_ready(page)
    assert_accessible(page, f"{where}, widget closed")
    open_widget(page)
    assert_accessible(page, f"{where}, widget open")

    exchange(page, "aide")
    replies = page.locator(f"{BOT} .cw-reply:not([disabled])")
    expect(replies.first).to_be_visible()
    assert_accessible(page, f"{where}, answer with buttons")

    bots = page.locator(BOT).count()
    title = replies.first.text_content() or ""
    replies.first.click()
    expect(page.locator(USER).last).to_have_text(f"Vous : {title}")
    expect(page.locator(BOT)).not_to_have_count(bots)
    assert_accessible(page, f"{where}, after a button was chosen")


def test_public_page_has_no_axe_violation(stack: Stack, page: Page) -> None:
    enable_axe(page)
    page.goto(stack.web_url)
    audit_widget_states(page, "public page")
    # The transcript is a real list: each message is a list item (axe's listitem rule).
    assert page.locator("#carpimko-chat [role=log] > ol > li.cw-msg").count() >= 4


def test_logged_in_page_has_no_axe_violation(stack: Stack, page: Page) -> None:
    enable_axe(page)
    log_in(page, stack.web_url, "7654321", "Carpimko2024")
    expect(page.locator("h1")).to_have_text("Bonjour Sophie Bernard")
    audit_widget_states(page, "Espace Personnel")


def test_login_form_has_no_axe_violation_even_with_its_error(stack: Stack, page: Page) -> None:
    enable_axe(page)
    page.goto(f"{stack.web_url}/espace-personnel")
    assert_accessible(page, "login form")
    log_in(page, stack.web_url, "7654321", "pas-le-bon")
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page, "login form with the portal's refusal")


def test_statement_is_linked_from_every_page_and_follows_the_rgaa_model(
    stack: Stack, page: Page
) -> None:
    assert {path for _, path in accessibility.AUDITED_PAGES} == SCANNED_PATHS
    enable_axe(page)
    log_in(page, stack.web_url, "7654321", "Carpimko2024")
    for path in ("/espace-personnel/accueil", "/", "/espace-personnel"):
        page.goto(f"{stack.web_url}{path}")
        link = page.locator("footer").get_by_role("link", name=LINK_NAME)
        expect(link).to_have_attribute("href", accessibility.PATH)
    page.locator("footer").get_by_role("link", name=LINK_NAME).click()

    expect(page).to_have_url(f"{stack.web_url}{accessibility.PATH}")
    expect(page.locator("h1")).to_have_text(LINK_NAME)
    headings = page.locator("main h2, main h3").all_text_contents()
    assert headings == list(accessibility.REQUIRED_HEADINGS)
    main = page.locator("main")
    expect(main).to_contain_text(f"est {accessibility.STATUS} avec le RGAA version 4.1")
    expect(main).to_contain_text(f"axe-core {accessibility.axe_version()}")
    expect(main).to_contain_text("Défenseur des droits")
    expect(main).to_contain_text("« Nous écrire »")
    for _, path in accessibility.AUDITED_PAGES:
        expect(main.get_by_role("link", name=path, exact=True)).to_have_attribute("href", path)
    expect(page.locator("footer").get_by_role("link", name=LINK_NAME)).to_be_visible()
    widget_ready(page)
    assert_accessible(page, "accessibility statement")


def test_file_picker_and_download_card_on_a_small_screen_have_no_axe_violation(
    recorder_site: tuple[str, Path], page: Page
) -> None:
    site, _ = recorder_site
    enable_axe(page)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(site)
    open_widget(page)
    label = "Choisir votre arrêt de travail"
    ask = {"text": "Joignez le document.", "custom": {"data": {"upload": {"label": label}}}}
    expect(exchange(page, "echo:" + json.dumps(ask)).get_by_label(label)).to_be_enabled()
    pdf = {"type": "file", "payload": {"src": "http://127.0.0.1:9/x.pdf", "title": "Relevé"}}
    card = exchange(page, "echo:" + json.dumps({"attachment": pdf}))
    expect(card.get_by_role("link", name="Télécharger le PDF : Relevé")).to_be_visible()
    assert_accessible(page, "320 px, file picker and download card")


def test_unreachable_status_has_no_axe_violation(
    stack: Stack, extra_sites: Callable[[str, str], str], page: Page
) -> None:
    site = extra_sites(f"http://127.0.0.1:{free_port()}", "webdemo-unreachable-a11y")
    enable_axe(page)
    page.goto(site)
    page.locator(".cw-launcher").click()
    expect(page.locator("#cw-panel [role=status]")).to_contain_text("momentanément injoignable")
    assert_accessible(page, "server unreachable")
