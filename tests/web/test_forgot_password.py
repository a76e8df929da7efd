"""Forgotten password, to the end: the bot's reset form, the demo mailbox, the portal's page."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from web_testkit import BOT, Stack, exchange, open_widget

NEW_PASSWORD = "Nouveau2026"


def test_forgot_password_to_the_end_with_the_mailbox(stack: Stack, page: Page) -> None:
    page.goto(stack.web_url)
    open_widget(page)
    expect(exchange(page, "J'ai oublié mon mot de passe")).to_be_visible()
    page.locator(f"{BOT} .cw-reply:not([disabled])", has_text="Affilié").first.click()
    expect(page.locator(BOT).last).to_contain_text("numéro de dossier")
    exchange(page, "1234567")
    page.locator(f"{BOT} .cw-reply:not([disabled])", has_text="Par e-mail").first.click()
    sent = page.locator(BOT, has_text="Un e-mail vient d'être envoyé")
    expect(sent).to_contain_text("j****nt@e*****.fr")  # shown masked, never in full
    expect(sent).to_contain_text("un lien, pas un mot de passe")
    steps = page.locator(BOT, has_text="Demande de réinitialisation du mot de passe")
    expect(steps).to_contain_text("dans les 24 heures")  # the genuine e-mail, told from phishing
    expect(page.locator(BOT).last).to_contain_text("au moins 8 caractères")

    page.goto(f"{stack.web_url}/")  # the demo mailbox is linked from the public page
    # The widget comes back open after navigation (kept in the tab) and may cover the link,
    # as it would for a visitor on a small screen: close it first, as they would.
    page.get_by_role("button", name="Fermer la discussion").click()
    page.get_by_role("link", name="boîte aux lettres de démonstration").click()
    link = page.locator('a[href*="/reset?token="]').first
    expect(link).to_be_visible()
    link.click()
    page.get_by_label("Numéro de dossier").fill("1234567")
    page.get_by_label("Mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmer mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("body")).not_to_contain_text("erreur", ignore_case=True)

    page.goto(f"{stack.web_url}/espace-personnel")
    page.get_by_label("Numéro de dossier").fill("1234567")
    page.get_by_label("Mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("h1")).to_have_text("Bonjour Jeanne Dupont")
