"""The console in the real stack (scripts/run.sh on free ports, as `make run` starts it):
a conversation held through Rasa's REST channel shows up in the console, in the export and
in a real browser (Debian's chromium), with its IBAN and e-mail masked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from console_testkit import EMAIL, IBAN, log_in
from playwright.sync_api import Page, expect, sync_playwright

from benchmarks.devstack import DevStack, StackError, running_stack

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CARPIMKO = Path(sys.executable).with_name("carpimko")
LOGIN, PASSWORD = "conseillere.stack", "Stack-console-2026"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    """scripts/run.sh on free ports, with one staff account created by the CLI."""
    try:
        with running_stack(tmp_path_factory.mktemp("console-stack")) as running:
            created = subprocess.run(
                [str(CARPIMKO), "staff", "create", LOGIN, "--password-stdin"],
                input=PASSWORD + "\n",
                env=running.env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            assert created.returncode == 0, created.stderr
            yield running
    except StackError as error:
        pytest.fail(str(error))


def say(stack: DevStack, sender: str, text: str) -> list[dict]:
    answer = httpx.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        timeout=60,
    )
    answer.raise_for_status()
    return answer.json()


@pytest.fixture(scope="module")
def rest_conversation(stack: DevStack) -> str:
    sender = f"rest-{uuid.uuid4().hex[:12]}"
    say(stack, sender, "bonjour")
    say(stack, sender, f"je veux changer de RIB, mon IBAN est {IBAN} et mon e-mail {EMAIL}")
    say(stack, sender, "mon numéro de dossier est le 1234567")
    return sender


def test_make_run_prints_the_console_url(stack: DevStack) -> None:
    printed = "".join(stack.output)
    assert f"Console support    http://localhost:{stack.env['CONSOLE_PORT']}/" in printed


async def test_rest_conversation_appears_masked_in_the_console(
    stack: DevStack, rest_conversation: str
) -> None:
    async with httpx.AsyncClient(base_url=stack.console_url, timeout=30) as client:
        await log_in(client, LOGIN, PASSWORD)
        listed = (await client.get("/api/conversations", params={"channel": "rest"})).json()
        item = next(i for i in listed["items"] if i["sender_id"] == rest_conversation)
        assert item["channel"] == "rest" and not item["authenticated"]
        assert "greet" in item["intents"]
        found = await client.get("/api/conversations", params={"dossier": "1234567"})
        assert rest_conversation in {i["sender_id"] for i in found.json()["items"]}
        transcript = (await client.get(f"/api/conversations/{rest_conversation}")).json()
        users = [t["text"] for t in transcript["turns"] if t["role"] == "user"]
        bots = [t for t in transcript["turns"] if t["role"] == "bot"]
        assert users[0] == "bonjour" and bots, transcript
        assert "FR76 **** **** 0189" in users[1]
        assert "j****nt@e*****.fr" in users[1]
        page = await client.get(f"/conversations/{rest_conversation}")
        everything = json.dumps(transcript) + page.text
        for secret in (IBAN, EMAIL, "1234567"):
            assert secret not in everything


def test_rest_conversation_is_exported_masked(
    stack: DevStack, rest_conversation: str, tmp_path: Path
) -> None:
    out = tmp_path / "export.jsonl"
    run = subprocess.run(
        [str(CARPIMKO), "transcripts", "export", "--since", date.today().isoformat(),
         "--channel", "rest", "--format", "jsonl", "--output", str(out)],
        env=stack.env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    records = {r["sender_id"]: r for r in map(json.loads, out.read_text().splitlines())}
    record = records[rest_conversation]
    assert record["channel"] == "rest"
    users = [t for t in record["turns"] if t["role"] == "user"]
    assert "FR76 **** **** 0189" in users[1]["text"] and users[1]["intent"]
    assert any(t["role"] == "bot" and t["text"] for t in record["turns"])
    text = out.read_text()
    assert IBAN not in text and EMAIL not in text and "1234567" not in text


@pytest.fixture
def page() -> Iterator[Page]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's `chromium` (make system-deps)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        context = browser.new_context(locale="fr-FR")
        context.set_default_timeout(30_000)
        tab = context.new_page()
        yield tab
        context.close()
        browser.close()


def test_browser_logs_in_searches_and_opens_a_transcript(
    stack: DevStack, rest_conversation: str, page: Page
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    xss_sender = f"rest-xss-{uuid.uuid4().hex[:8]}"
    say(stack, xss_sender, "<img src=x onerror=alert('img')> <script>alert('pirate')</script>")

    page.goto(f"{stack.console_url}/conversations")
    expect(page).to_have_url(f"{stack.console_url}/login?next=%2Fconversations")
    page.get_by_label("Identifiant").fill(LOGIN)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Conversations")).to_be_visible()

    page.get_by_label("Numéro de dossier").fill("1234567")
    page.get_by_label("Canal").select_option("rest")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("#resultats")).to_contain_text("1 conversation")
    page.get_by_role("link", name=rest_conversation).click()

    expect(page.get_by_role("heading", name=f"Conversation {rest_conversation}")).to_be_visible()
    user_bubbles = page.locator(".msg.user .bubble")
    expect(user_bubbles.first).to_have_text("bonjour")
    expect(user_bubbles.nth(1)).to_contain_text("FR76 **** **** 0189")
    expect(page.locator(".msg.bot .bubble").first).to_be_visible()
    assert IBAN not in page.content() and EMAIL not in page.content()

    page.goto(f"{stack.console_url}/conversations/{xss_sender}")
    expect(page.locator(".msg.user .bubble").first).to_contain_text("<script>alert('pirate')")
    assert page.locator("main script, main img").count() == 0
    assert dialogs == []
