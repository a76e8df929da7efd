"""Shared by the browser tests: the stack's addresses, and steps (open the widget, send…)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from webdemo.accessibility import AXE_TAGS

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"


@dataclass
class Stack:
    """Where the browser reaches each service of the running stack."""

    web_url: str
    rasa_url: str
    portal_url: str
    log_dir: Path


BOT = "#carpimko-chat .cw-bot"
USER = "#carpimko-chat .cw-user"


def open_widget(page: Page) -> None:
    """Clicks the launcher and waits until the widget is connected to the server."""
    page.locator(".cw-launcher").click()
    expect(page.locator("#cw-panel")).to_be_visible()
    expect(page.locator("#cw-panel")).to_have_attribute("data-state", "online")


def send(page: Page, text: str) -> None:
    """Types a message in the widget's field and presses Enter."""
    page.locator("#cw-input").fill(text)
    page.locator("#cw-input").press("Enter")


def bot_after(page: Page, count: int) -> Locator:
    """Waits until there are more than `count` bot messages; returns the last one."""
    messages = page.locator(BOT)
    expect(messages).not_to_have_count(count)
    page.wait_for_function(
        "n => document.querySelectorAll('#carpimko-chat .cw-bot').length > n", arg=count
    )
    return messages.last


def exchange(page: Page, text: str) -> Locator:
    """Sends `text` and returns the first bot message that answers it."""
    before = page.locator(BOT).count()
    send(page, text)
    bot_after(page, before)
    return page.locator(BOT).nth(before)


def enable_axe(page: Page) -> None:
    """Injects the locally installed axe-core into every page this tab loads from now on.

    An init script runs outside the page's Content-Security-Policy (which forbids inline
    scripts), so the site is audited with its real headers; no CDN, no network.
    """
    assert AXE_SCRIPT.exists(), f"{AXE_SCRIPT} is missing: run scripts/build-web.sh (npm ci)"
    page.context.add_init_script(path=AXE_SCRIPT)


def axe_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.2 A/AA violations on the page as it is now, one line per element."""
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", list(AXE_TAGS)
    )
    return [
        f"{rule['id']} ({rule['impact']}): {rule['help']} — {node['target']}"
        for rule in result["violations"]
        for node in rule["nodes"]
    ]
