"""Every service of `make run` serves /metrics, and a few conversations move the counters.

The stack is scraped, then a member greets, asks for the opening hours, resets a forgotten
password by post and asks for an advisor over REST; the demo site and the console are visited;
then every /metrics is scraped again and compared."""

from __future__ import annotations

import uuid

import httpx
from prometheus_client.parser import text_string_to_metric_families

from benchmarks.devstack import SERVICES, DevStack

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(stack: DevStack) -> dict[str, Samples]:
    """Every sample of every service's /metrics."""
    pages: dict[str, Samples] = {}
    for service in SERVICES:
        response = httpx.get(f"{stack.url(service)}/metrics", timeout=10)
        assert response.status_code == 200, (service, response.status_code)
        pages[service] = {
            (s.name, frozenset(s.labels.items())): float(s.value)
            for family in text_string_to_metric_families(response.text)
            for s in family.samples
        }
    return pages


def total(samples: Samples, name: str, **labels: str) -> float:
    """Sum of the samples named `name` whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)


def test_conversations_move_the_counters_of_every_service(ops_stack: DevStack) -> None:
    before = scrape(ops_stack)
    member = f"metrics-{uuid.uuid4().hex[:8]}"
    for text in ("bonjour", "quels sont vos horaires d'ouverture ?"):
        ops_stack.say(member, text)
    reset = f"metrics-{uuid.uuid4().hex[:8]}"
    for text in ("j'ai oublié mon mot de passe", "affilié", "1234567", "par courrier"):
        answers = ops_stack.say(reset, text)
    assert any("courrier" in a.get("text", "") for a in answers), answers
    advisor = f"metrics-{uuid.uuid4().hex[:8]}"
    answers = ops_stack.say(advisor, "je voudrais parler à un conseiller")
    httpx.get(f"{ops_stack.web_url}/", timeout=10)
    httpx.get(f"{ops_stack.console_url}/login", timeout=10)
    after = scrape(ops_stack)

    def moved(service: str, name: str, **labels: str) -> float:
        return total(after[service], name, **labels) - total(before[service], name, **labels)

    assert moved("RASA", "carpimko_messages_total", channel="rest") == 7
    assert moved("RASA", "carpimko_message_duration_seconds_count", channel="rest") == 7
    assert moved("RASA", "carpimko_intents_total", intent="greet") == 1
    assert moved("RASA", "carpimko_intents_total") == 7
    assert moved("RASA", "carpimko_dialogue_actions_total", action="action_listen") >= 7
    route = "/webhooks/rest/webhook"
    assert moved("RASA", "carpimko_http_requests_total", route=route, status="200") == 7
    assert moved("RASA", "carpimko_message_errors_total") == 0
    assert moved("ACTION", "carpimko_actions_total", outcome="ok") >= 3
    assert moved("ACTION", "carpimko_actions_total", action="action_human_handoff") == 1
    assert moved("ACTION", "carpimko_portal_calls_total", outcome="ok") >= 3
    assert moved("ACTION", "carpimko_portal_call_duration_seconds_count") >= 3
    assert moved("PORTAL", "carpimko_password_resets_total", step="started") == 1
    assert moved("PORTAL", "carpimko_letters_queued_total") == 1
    assert moved("PORTAL", "carpimko_handoffs_total", kind="handoff") == 1, answers
    assert moved("PORTAL", "carpimko_http_requests_total") >= 5
    assert moved("WEB", "carpimko_http_requests_total", route="/", status="200") == 1
    assert moved("CONSOLE", "carpimko_http_requests_total", route="/login", status="200") == 1
    for service in SERVICES:
        assert moved(service, "carpimko_http_errors_total") == 0, service
