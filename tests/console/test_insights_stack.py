"""The « Tableau de bord » over a real stack (scripts/run.sh on free ports): conversations
played through Rasa's REST and socket.io channels and the phone line (IVR JSON turns), then
every figure of the page, its API, its downloads and `carpimko insights` checked against
what was played. Each scenario also checks the assistant answered as intended, so a change
of dialogue shows up here as such, not as a wrong count."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import csv
import io
import json
import re
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
import socketio
from console_testkit import log_in

from benchmarks.devstack import DevStack, StackError, running_stack

ROOT = Path(__file__).resolve().parents[2]
CARPIMKO = Path(sys.executable).with_name("carpimko")
LOGIN, PASSWORD = "pilote.support", "Tableau-de-bord-2026"
OPEN = "2025-11-12T10:00:00+01:00"  # Wednesday 10:00 in Paris: advisors answer the phone
SERVICE_KEY = "demo-service-key"
GIBBERISH = "zorglub frimousse tartempion"
TURN_TOKEN = "insights-turn-token-0123456789abcdef"
PERIOD = {
    "since": (date.today() - timedelta(days=1)).isoformat(),
    "until": (date.today() + timedelta(days=1)).isoformat(),
}


def texts(messages: list[dict]) -> str:
    return " ".join(str(m.get("text") or "") for m in messages)


def rest(stack: DevStack, sender: str, *messages: str) -> list[str]:
    said = []
    for message in messages:
        answer = httpx.post(
            f"{stack.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=60,
        )
        answer.raise_for_status()
        said.append(texts(answer.json()))
    return said


def phone(stack: DevStack, call_id: str, *turns: dict) -> list[dict]:
    """A call through the IVR channel's JSON turns; the first turn opens the call."""
    url = f"{stack.rasa_url}/webhooks/ivr/turn"
    auth = {"Authorization": f"Bearer {TURN_TOKEN}"}
    answers = [httpx.post(url, json={"call_id": call_id}, headers=auth, timeout=60).json()]
    for turn in turns:
        body = {"call_id": call_id, **turn}
        answers.append(httpx.post(url, json=body, headers=auth, timeout=60).json())
    return answers


def web(stack: DevStack, session_id: str, message: str) -> str:
    """One message through the widget's socket.io channel; the first answer's text."""

    async def scenario() -> str:
        client = socketio.AsyncClient(reconnection=False)
        received: asyncio.Queue[dict] = asyncio.Queue()
        client.on("bot_uttered", received.put_nowait)
        confirmed: asyncio.Queue[object] = asyncio.Queue()
        client.on("session_confirm", confirmed.put_nowait)
        await client.connect(stack.rasa_url, socketio_path="/socket.io", transports=["polling"])
        await client.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(confirmed.get(), 30)
        await client.emit("user_uttered", {"message": message, "session_id": session_id})
        first = await asyncio.wait_for(received.get(), 60)
        await client.disconnect()
        return str(first.get("text") or "")

    return asyncio.run(scenario())


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    overrides = {
        "PORTAL_CLOCK_START": OPEN,
        "PORTAL_SERVICE_KEY": SERVICE_KEY,
        "IVR_TURN_TOKEN": TURN_TOKEN,  # the JSON turn API is closed without it
    }
    try:
        with running_stack(
            tmp_path_factory.mktemp("insights-stack"), overrides, drop=("IVR_TWILIO_AUTH_TOKEN",)
        ) as running:
            created = subprocess.run(
                [str(CARPIMKO), "staff", "create", LOGIN, "--password-stdin"],
                input=PASSWORD + "\n", env=running.env, cwd=ROOT,
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            assert created.returncode == 0, created.stderr
            yield running
    except StackError as error:
        pytest.fail(str(error))


def new_id(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def played(stack: DevStack) -> dict[str, str]:
    """Ten conversations; returns their ids by role. Order matters for the 24-hour rule:
    the completed reset comes before another reset by the same member."""
    ids: dict[str, str] = {}
    ids["solved"] = new_id("rest")
    answer = rest(stack, ids["solved"], "quels sont vos horaires ?")
    assert "Pour joindre la CARPIMKO" in answer[0], answer

    ids["reset_done"] = new_id("rest")
    answer = rest(stack, ids["reset_done"], "mot de passe oublié", '/inform{"profile":"affilie"}',
                  "1234567", '/inform{"delivery_channel":"email"}')  # fmt: skip
    assert "affilié ou ayant droit" in answer[0] and "numéro de dossier" in answer[1], answer
    assert "Comment souhaitez-vous recevoir" in answer[2], answer
    assert "e-mail" in answer[3] and "envoyé" in answer[3], answer

    ids["stopped_at_dossier"] = new_id("rest")
    answer = rest(stack, ids["stopped_at_dossier"], "mot de passe oublié",
                  '/inform{"profile":"affilie"}', "stop")  # fmt: skip
    assert "numéro de dossier" in answer[1] and "j'arrête" in answer[2], answer

    ids["left_at_profile"] = new_id("rest")
    answer = rest(stack, ids["left_at_profile"], "mot de passe oublié")
    assert "affilié ou ayant droit" in answer[0], answer

    ids["left_at_delivery"] = new_id("rest")  # same member as reset_done, same subject
    answer = rest(stack, ids["left_at_delivery"], "j'ai oublié mon mot de passe",
                  '/inform{"profile":"affilie"}', "1234567", "oui")  # fmt: skip
    assert "déjà été envoyé" in answer[2], answer  # the link of reset_done is still valid
    assert "Comment souhaitez-vous recevoir" in answer[3], answer

    ids["handed_off"] = new_id("rest")
    answer = rest(stack, ids["handed_off"], "je veux parler à un conseiller")
    assert "conseiller" in answer[0], answer

    ids["not_understood"] = new_id("rest")
    answer = rest(stack, ids["not_understood"], GIBBERISH)
    assert "Je ne sais pas répondre" in answer[0], answer  # the off-domain answer

    ids["web_solved"] = new_id("web")
    answer_text = web(stack, ids["web_solved"], "quels sont vos horaires ?")
    assert "Pour joindre la CARPIMKO" in answer_text, answer_text

    ids["call_transferred"] = new_id("call")
    call = phone(stack, ids["call_transferred"],
                 {"text": "je veux parler à un conseiller", "confidence": 0.9})  # fmt: skip
    assert call[-1]["transfer"], call[-1]  # dialled to the advisors

    ids["call_hung_up"] = new_id("call")
    call = phone(stack, ids["call_hung_up"],
                 {"text": "j'ai oublié mon mot de passe", "confidence": 0.9})  # fmt: skip
    assert "affilié ou ayant droit" in " ".join(call[-1]["say"]), call[-1]
    return ids  # the caller hangs up: no more turn


EXPECTED_OUTCOMES = {"resolved": 2, "handed_off": 2, "abandoned": 4, "not_understood": 1}
EXPECTED_FUNNEL = [  # reset_form: (step, reached, left)
    ("started", 5, 0),
    ("question:profile", 5, 2),  # left at profile on the web and on the phone
    ("question:dossier_number", 3, 1),  # « stop »
    ("question:reset_replace", 1, 0),  # a link already sent: asked before replacing it
    ("question:delivery_channel", 2, 1),  # left before choosing
    ("confirmed", 1, 0),
    ("done", 1, 0),
]
EXPECTED_PHONE = {"calls": 2, "transfers": 1, "handed_off": 1, "hangups_mid_procedure": 1}


@contextlib.asynccontextmanager
async def logged_in(stack: DevStack) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """A staff member's client and CSRF token."""
    async with httpx.AsyncClient(base_url=stack.console_url, timeout=60) as client:
        yield client, await log_in(client, LOGIN, PASSWORD)


def check_report(data: dict, total: int = 10) -> None:
    assert data["total"] == total
    assert data["outcomes"] == EXPECTED_OUTCOMES
    assert data["recontacted"] == 1  # the completed reset, reopened by the same member
    assert data["rates"]["abandoned"] == 40.0 and data["rates"]["not_understood"] == 10.0
    funnel = [(s["step"], s["reached"], s["left"]) for s in data["funnels"]["reset_form"]]
    assert funnel == EXPECTED_FUNNEL, funnel
    counts = {i["intent"]: i["conversations"] for i in data["intents"]}
    assert counts["forgot_password"] == 5 and counts["contact"] == 2
    assert counts["human_handoff"] == 2
    assert not {"greet", "inform", "out_of_scope"} & set(counts)  # no request
    assert data["phone"] == EXPECTED_PHONE
    assert sum(d["resolved"] + d["recontacted"] for d in data["per_day"]) == 3


async def test_the_api_counts_what_was_played(stack: DevStack, played: dict[str, str]) -> None:
    async with logged_in(stack) as (client, _):
        data = (await client.get("/api/dashboard", params=PERIOD)).json()
        check_report(data)
        groups = data["not_understood_groups"]
        assert groups == [{"size": 1, "examples": [GIBBERISH]}]
        ivr = (await client.get("/api/dashboard", params={**PERIOD, "channel": "ivr"})).json()
        assert ivr["total"] == 2 and ivr["outcomes"]["handed_off"] == 1
        assert ivr["outcomes"]["abandoned"] == 1
        webs = (await client.get("/api/dashboard", params={**PERIOD, "channel": "web"})).json()
        assert webs["total"] == 1 and webs["outcomes"]["resolved"] == 1 and webs["phone"] == {}


def _cells(page: str, attribute: str, key: str) -> list[str]:
    row = re.search(rf'<tr {attribute}="{re.escape(key)}">(.*?)</tr>', page, re.S)
    assert row, f"no row {key}"
    return re.findall(r"<td>([^<]*)</td>", row.group(1))


async def test_the_page_shows_the_same_figures_with_svg_charts(
    stack: DevStack, played: dict[str, str]
) -> None:
    async with logged_in(stack) as (client, _):
        home = await client.get("/conversations")
        assert '<a href="/dashboard">Tableau de bord</a>' in home.text
        page = (await client.get("/dashboard", params=PERIOD)).text
        assert _cells(page, "data-category", "resolved") == ["2", "20.0 %"]
        assert _cells(page, "data-category", "handed_off") == ["2", "20.0 %"]
        assert _cells(page, "data-category", "abandoned") == ["4", "40.0 %"]
        assert _cells(page, "data-category", "not_understood") == ["1", "10.0 %"]
        assert _cells(page, "data-category", "recontacted") == ["1", "10.0 %"]
        assert _cells(page, "data-step", "question:dossier_number") == ["3", "1"]
        assert _cells(page, "data-intent", "forgot_password")[:2] == ["5", "0"]
        assert _cells(page, "data-phone", "hangups_mid_procedure") == ["1"]
        assert GIBBERISH in page
        charts = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)"', page)
        assert len(charts) == 3  # outcomes per day, the reset funnel, top requests
        outcome_svg = base64.b64decode(charts[0][0]).decode()
        assert "Résolues sans conseiller" in outcome_svg and "<script" not in outcome_svg
        assert all(alt.startswith("Graphique") for _, alt in charts)
        audit = (await client.get("/api/audit")).json()["entries"]
        assert any(e["action"] == "tableau_de_bord" for e in audit)


async def test_downloads_and_nlu_export_are_audited(
    stack: DevStack, played: dict[str, str]
) -> None:
    async with logged_in(stack) as (client, csrf):
        download = await client.get("/dashboard/export", params={**PERIOD, "format": "csv"})
        rows = list(csv.DictReader(io.StringIO(download.text)))
        issues = {r["cle"]: r["valeur"] for r in rows if r["section"] == "issues"}
        assert issues == {"resolved": "2", "handed_off": "2", "abandoned": "4",
                          "not_understood": "1", "recontacted": "1"}  # fmt: skip
        page = (await client.get("/dashboard", params=PERIOD)).text
        ids = re.findall(r'name="message" value="(\d+)"', page)
        assert len(ids) == 1
        exported = await client.post(
            "/dashboard/nlu",
            data={"csrf_token": csrf, "intent": "out_of_scope", "message": ids},
        )
        assert exported.status_code == 200
        assert exported.headers["content-disposition"].endswith('nlu-out_of_scope.yml"')
        assert exported.text.splitlines()[2:] == [
            "- intent: out_of_scope", "  examples: |", f"    - {GIBBERISH}"
        ]  # fmt: skip
        entries = (await client.get("/api/audit")).json()["entries"]
        actions = {e["action"]: e for e in entries}
        assert actions["export_nlu"]["target"] == "out_of_scope"
        assert actions["export_tableau_de_bord"]["detail"]["format"] == "csv"


def test_the_cli_prints_the_same_figures(stack: DevStack, played: dict[str, str]) -> None:
    run = subprocess.run(
        [str(CARPIMKO), "insights", "--since", PERIOD["since"], "--until", PERIOD["until"],
         "--json"],
        env=stack.env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    check_report(json.loads(run.stdout))
    assert json.loads(run.stdout)["not_understood_groups"] == [{"size": 1, "examples": [GIBBERISH]}]
    text = subprocess.run(
        [str(CARPIMKO), "insights", "--since", PERIOD["since"], "--channel", "ivr"],
        env=stack.env, cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "Conversations : 2" in text and "Appels raccrochés en cours de démarche : 1" in text
