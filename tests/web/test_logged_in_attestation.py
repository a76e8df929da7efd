"""Logged in as Sophie Bernard, an attestation for a chosen period is downloaded through the
widget and is a PDF (real stack: portal, action server, Rasa, demo site, Debian's chromium)."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from test_espace_personnel import log_in
from web_testkit import BOT, Stack, exchange, open_widget


def test_sophie_downloads_an_attestation_for_last_year(stack: Stack, page: Page) -> None:
    log_in(page, stack.web_url, "7654321", "Carpimko2024")
    expect(page.locator("h1")).to_have_text("Bonjour Sophie Bernard")
    open_widget(page)

    exchange(page, "je voudrais une attestation de paiement")
    expect(page.locator(BOT).filter(has_text="Vous êtes connecté")).to_have_count(1)
    question = page.locator(BOT).filter(has_text="Quelle attestation voulez-vous")
    expect(question).to_have_count(1)
    question.get_by_role("button", name="Justificatif de paiement invalidité-décès").click()

    period = page.locator(BOT).filter(has_text="Pour quelle période")
    expect(period).to_have_count(1)
    period.get_by_role("button", name="L'année dernière").click()

    card = page.locator(BOT + " .cw-card-link").first
    expect(card).to_be_visible(timeout=30_000)
    expect(page.locator(BOT).filter(has_text="est prête")).to_have_count(1)
    assert card.get_attribute("href").startswith(f"{stack.portal_url}/api/v1/files/")
    with page.expect_download() as info:
        card.click()
    download = info.value
    path = download.path()
    assert path is not None
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert download.suggested_filename.endswith(".pdf")
    # Nothing in the conversation shows the token or the full dossier number.
    transcript = page.locator("#carpimko-chat").inner_text()
    assert "7654321" not in transcript
