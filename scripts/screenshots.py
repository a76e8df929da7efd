"""Screenshots for docs/screenshots/: the demo site (public page, logged-in conversation), or
the support console's « Tableau de bord ».

The demo site needs a running stack (`make run`); the dashboard needs nothing running: it is
shown over 4 000 conversations (60 days) generated as for `make bench-insights`, by a console
started for the occasion. Debian's chromium only, driven by Playwright as in the browser tests.

    .venv/bin/python scripts/screenshots.py [--web-url URL] [--out docs/screenshots]
    .venv/bin/python scripts/screenshots.py --dashboard [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
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


def dashboard(out: Path, chromium: str) -> None:
    """console-dashboard.png: the top of the « Tableau de bord » of the last 30 days."""
    sys.path.insert(0, str(Path(__file__).parent))
    import bench_insights as bench

    with tempfile.TemporaryDirectory(prefix="dashboard-shot-") as folder:
        store, console_db = Path(folder) / "tracker.sqlite3", Path(folder) / "console.sqlite3"
        bench.write(store, 4000, 0, time.time() - 60 * bench.DAY, 60 * bench.DAY - 3600, seed=21)
        env = bench.console_env(store, console_db)
        with bench.running_console(env) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(locale="fr-FR", viewport={"width": 1200, "height": 2000})
            page.goto(f"{url}/login?next=%2Fdashboard")
            page.get_by_label("Identifiant").fill(bench.LOGIN)
            page.get_by_label("Mot de passe").fill(bench.PASSWORD)
            page.get_by_role("button", name="Se connecter").click()
            expect(page.get_by_role("heading", name="Tableau de bord")).to_be_visible()
            page.screenshot(path=str(out / "console-dashboard.png"))  # the top: figures, charts
            browser.close()


def main() -> None:
    """Takes public.png (widget open, greeting and menu) and logged-in.png (Sophie Bernard's
    attestation for last year, with its download card)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--web-url", default="http://localhost:8000")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--dashboard", action="store_true", help="the console's dashboard only")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.dashboard:
        dashboard(args.out, args.chromium)
        print(f"Capture écrite dans {args.out}/console-dashboard.png")
        return
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
