"""Logged in as Sophie Bernard, a prolongation d'arrêt de travail is sent through the widget:
the file is chosen in the widget's picker, goes to the portal (never through Rasa), and the
message reaches the Invalidité-Décès service with its reference (real stack, Debian's chromium).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect
from test_espace_personnel import log_in
from web_testkit import BOT, USER, Stack, exchange, open_widget

from actions.common import french_date

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n" + b"0" * 4000
PICKER = "Choisir le fichier de ma prolongation"


def sophies_messages(portal_url: str) -> list[dict]:
    with httpx.Client(base_url=portal_url, timeout=10) as client:
        session = client.post(
            "/api/v1/sessions",
            json={"profile": "affilie", "dossier_number": "7654321", "password": "Carpimko2024"},
        ).json()
        answer = client.get(
            "/api/v1/me/messages", headers={"Authorization": f"Bearer {session['token']}"}
        )
    return list(answer.json()["messages"])


def test_sophie_sends_her_sick_leave_extension_with_the_file_picker(
    stack: Stack, page: Page, tmp_path: Path
) -> None:
    log_in(page, stack.web_url, "7654321", "Carpimko2024")
    expect(page.locator("h1")).to_have_text("Bonjour Sophie Bernard")
    open_widget(page)

    exchange(page, "envoyer ma prolongation d'arrêt")
    expect(page.locator(BOT).filter(has_text="Jusqu'à quelle date")).to_have_count(1)
    end = date.today() + timedelta(days=14)
    exchange(page, end.strftime("%d/%m/%Y"))
    expect(page.locator(BOT).filter(has_text="Choisissez maintenant le fichier")).to_have_count(1)

    # A real file input with a French label: reachable with Tab, opened with Enter or Space.
    picker = page.get_by_label(PICKER)
    expect(picker).to_have_count(1)
    expect(picker).to_have_attribute("type", "file")
    expect(picker).to_be_enabled()
    page.locator("#cw-input").focus()
    for _ in range(10):  # back from the message field into the conversation, key by key
        page.keyboard.press("Shift+Tab")
        if picker.evaluate("node => node === document.activeElement"):
            break
    expect(picker).to_be_focused()

    wrong = tmp_path / "arret.pdf"
    wrong.write_bytes(b"ceci n'est pas un PDF")
    picker.set_input_files(str(wrong))
    expect(page.locator(USER).filter(has_text="Fichier refusé : arret.pdf")).to_have_count(1)
    expect(page.locator(BOT).filter(has_text="n'a pas été accepté")).to_have_count(1)

    document = tmp_path / "prolongation-arret.pdf"
    document.write_bytes(PDF)
    page.get_by_label(PICKER).last.set_input_files(str(document))
    expect(
        page.locator(USER).filter(has_text="Fichier joint : prolongation-arret.pdf")
    ).to_have_count(1)
    summary = page.locator(BOT).filter(has_text="Vérifiez votre envoi")
    expect(summary).to_have_count(1, timeout=30_000)
    expect(summary).to_contain_text("prolongation-arret.pdf (4 Ko)")
    expect(summary).to_contain_text(f"jusqu'au {french_date(end)}")

    question = page.locator(BOT).filter(has_text="J'envoie ce document au service")
    question.get_by_role("button", name="Oui, j'envoie").click()
    sent = page.locator(BOT).filter(has_text="référence MSG-")
    expect(sent).to_have_count(1, timeout=30_000)
    reference = re.search(r"MSG-[0-9A-Z-]+", sent.inner_text())
    assert reference is not None
    expect(
        page.locator(BOT).filter(has_text="conservés dans vos échanges, rubrique « Ma prévoyance »")
    ).to_have_count(1)

    # The fund received the file, with the reference the member was given.
    received = [
        m for m in sophies_messages(stack.portal_url) if m["reference"] == reference.group()
    ]
    assert len(received) == 1
    assert received[0]["service"] == "invalidite_deces"
    assert received[0]["attachment"]["name"] == "prolongation-arret.pdf"
    assert "Prolongation d'arrêt de travail jusqu'au" in received[0]["body"]
    transcript = page.locator("#carpimko-chat").inner_text()
    assert "7654321" not in transcript
