"""Screenshots of the demo site for docs/screenshots/ (public page, logged-in conversation).

Needs a running stack with the demo site (`make run`) and Debian's chromium; Playwright only
drives /usr/bin/chromium, as the browser tests do (tests/web/conftest.py).

    .venv/bin/python scripts/screenshots.py [--web-url URL] [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def talk(page: Page, text: str) -> None:
    """Sends `text` in the widget and waits for the first answer (plus a moment for the rest)."""
    before = page.locator(".cw-bot").count()
    page.locator("#cw-input").fill(text)
    page.locator("#cw-input").press("Enter")
    expect(page.locator(".cw-bot")).not_to_have_count(before, timeout=60_000)
    page.wait_for_timeout(1500)


def choose(page: Page, title: str) -> None:
    """Clicks the quick reply `title` of the latest answers and waits for the next answer."""
    before = page.locator(".cw-bot").count()
    page.get_by_role("button", name=title).last.click()
    expect(page.locator(".cw-bot")).not_to_have_count(before, timeout=60_000)
    page.wait_for_timeout(1500)


def main() -> None:
    """Takes public.png (widget open, greeting and menu) and logged-in.png (Sophie Bernard's
    attestation for last year, with its download card)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--web-url", default="http://localhost:8000")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="fr-FR", viewport={"width": 1200, "height": 800})
        page = context.new_page()
        page.goto(args.web_url)
        page.locator(".cw-launcher").click()
        expect(page.locator("#cw-panel")).to_have_attribute("data-state", "online")
        talk(page, "Bonjour")
        page.screenshot(path=str(args.out / "public.png"))

        page.goto(f"{args.web_url}/espace-personnel")
        page.get_by_label("Affilié", exact=True).check()
        page.get_by_label("Numéro de dossier").fill("7654321")
        page.get_by_label("Mot de passe").fill("Carpimko2024")
        page.get_by_role("button", name="Se connecter").click()
        expect(page.locator("h1")).to_contain_text("Sophie Bernard")
        page.locator(".cw-launcher").click()
        expect(page.locator("#cw-panel")).to_have_attribute("data-state", "online")
        talk(page, "je voudrais une attestation de paiement")
        choose(page, "Justificatif de paiement invalidité-décès")
        choose(page, "L'année dernière")
        expect(page.locator(".cw-card-link").first).to_be_visible(timeout=60_000)
        page.wait_for_timeout(1000)
        page.screenshot(path=str(args.out / "logged-in.png"))
        browser.close()
    print(f"Captures écrites dans {args.out}/")


if __name__ == "__main__":
    main()
