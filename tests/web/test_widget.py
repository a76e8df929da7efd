"""The chat widget against the real stack (Rasa 3.6 socket.io), in Debian's chromium."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect
from web_testkit import BOT, USER, Stack, exchange, open_widget, send

from benchmarks.devstack import free_port

SESSION_KEY = "carpimko-chat:public:session"


def test_public_page_is_french_with_landmarks(stack: Stack, page: Page) -> None:
    page.goto(stack.web_url)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("link", name="Espace Personnel")).to_be_visible()
    expect(page.locator("main h1")).to_contain_text("CARPIMKO")
    expect(page.locator(".cw-launcher")).to_have_attribute("aria-expanded", "false")


def test_reload_keeps_the_conversation(stack: Stack, page: Page) -> None:
    page.goto(stack.web_url)
    open_widget(page)
    first = exchange(page, "bonjour").text_content() or ""
    session = page.evaluate("k => sessionStorage.getItem(k)", SESSION_KEY)
    assert session

    page.reload()
    # Open again by itself, same transcript, same Rasa session, and the bot still answers.
    expect(page.locator("#cw-panel")).to_be_visible()
    expect(page.locator("#cw-panel")).to_have_attribute("data-state", "online")
    expect(page.locator(USER).first).to_have_text("Vous : bonjour")
    expect(page.locator(BOT).first).to_have_text(first)
    assert page.evaluate("k => sessionStorage.getItem(k)", SESSION_KEY) == session
    exchange(page, "merci")
    expect(page.locator(USER)).to_have_count(2)


def test_script_in_a_message_is_shown_as_text(stack: Stack, page: Page) -> None:
    hostile = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
    page.goto(stack.web_url)
    open_widget(page)
    exchange(page, hostile)
    expect(page.locator(f"{USER} .cw-text").last).to_have_text(hostile)
    assert page.locator("#carpimko-chat script, #carpimko-chat img").count() == 0
    assert page.evaluate("() => window.__pwned") is None


def test_keyboard_only(stack: Stack, page: Page) -> None:
    page.goto(stack.web_url)
    for _ in range(20):  # Tab through the page until the launcher has the focus
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('cw-launcher')"):
            break
    else:
        raise AssertionError("the chat launcher cannot be reached with Tab")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), "the focused launcher has no visible outline"
    page.keyboard.press("Enter")
    expect(page.locator("#cw-input")).to_be_focused()
    expect(page.locator("#cw-panel")).to_have_attribute("data-state", "online")

    page.keyboard.type("aide")
    page.keyboard.press("Enter")
    expect(page.locator(f"{BOT} .cw-reply:not([disabled])").first).to_be_visible()
    bots = page.locator(BOT).count()
    for _ in range(10):  # the quick replies come just before the text field in the tab order
        page.keyboard.press("Shift+Tab")
        if page.evaluate("() => document.activeElement.matches('.cw-reply:not([disabled])')"):
            break
    else:
        raise AssertionError("no quick reply can be reached with Shift+Tab")
    title = page.evaluate("() => document.activeElement.textContent")
    page.keyboard.press("Space")
    expect(page.locator(USER).last).to_have_text(f"Vous : {title}")
    expect(page.locator(BOT)).not_to_have_count(bots)
    page.keyboard.press("Escape")
    expect(page.locator(".cw-launcher")).to_be_focused()


def test_usable_at_320_px(stack: Stack, page: Page) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(stack.web_url)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    open_widget(page)
    box = page.locator("#cw-panel").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320
    exchange(page, "bonjour")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320


def test_unreachable_server_is_announced(
    stack: Stack, extra_sites: Callable[[str, str], str], page: Page
) -> None:
    site = extra_sites(f"http://127.0.0.1:{free_port()}", "webdemo-unreachable")
    page.goto(site)
    page.locator(".cw-launcher").click()
    status = page.locator("#cw-panel [role=status]")
    expect(status).to_contain_text("momentanément injoignable")
    send(page, "bonjour")
    expect(page.locator("#cw-input")).to_have_value("bonjour")  # nothing typed is lost
    expect(page.locator(USER)).to_have_count(0)
