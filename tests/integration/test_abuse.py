"""No oracle for strangers, through the stack `make run` starts: whatever sender ids and
metadata one client invents, the portal counts its dossier look-ups as one client's."""

from __future__ import annotations

import httpx

from benchmarks.devstack import DevStack

STRANGER = "203.0.113.77"  # the address the (trusted) proxy reports for one real client


def turn(stack: DevStack, sender: str, text: str, client: str = STRANGER) -> list[str]:
    response = httpx.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        headers={"X-Forwarded-For": client},
        json={"sender": sender, "message": text, "metadata": {"client_ip": f"10.1.{sender}"}},
        timeout=30,
    )
    response.raise_for_status()
    return [str(m.get("text", "")) for m in response.json()]


def test_thirty_lookups_from_rotating_senders_are_throttled_after_twenty(stack: DevStack) -> None:
    answers = []
    for n in range(30):
        sender = f"oracle-{n}"  # a new conversation each time, a forged client_ip each time
        turn(stack, sender, "j'ai oublié mon mot de passe")
        turn(stack, sender, '/inform{"profile":"affilie"}')
        answers.append(" ".join(turn(stack, sender, f"99990{n:02d}")))
    unknown = [a for a in answers if "Numéro de dossier ou profil incorrect" in a]
    throttled = [a for a in answers if "Trop de demandes ont été faites" in a]
    assert len(unknown) == 20 and len(throttled) == 10, answers
    assert answers[20:] == throttled  # refused from the 21st on
    assert "minute(s)" in throttled[0]
    assert "du lundi au vendredi, de 8 h 45 à 12 h 45" in throttled[0]
    assert "{minutes}" not in throttled[0]


def test_another_client_is_not_throttled_by_the_stranger(stack: DevStack) -> None:
    honest = "198.51.100.200"
    turn(stack, "honnete-1", "j'ai oublié mon mot de passe", honest)
    turn(stack, "honnete-1", '/inform{"profile":"affilie"}', honest)
    answer = " ".join(turn(stack, "honnete-1", "9999099", honest))
    assert "Numéro de dossier ou profil incorrect" in answer


def test_rasa_answers_browsers_of_the_demo_site_only(stack: DevStack) -> None:
    web = f"http://127.0.0.1:{stack.ports['WEB']}"
    for origin, allowed in ((web, True), ("https://pirate.example", False)):
        response = httpx.options(
            f"{stack.rasa_url}/webhooks/rest/webhook",
            headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
            timeout=10,
        )
        assert (response.headers.get("access-control-allow-origin") == origin) is allowed


def test_the_stack_runs_the_retention_purge(stack: DevStack) -> None:
    log = (stack.log_dir / "purge.log").read_text()
    assert "supprimée(s)" in log  # the first run, at start
    assert "Purge RGPD" in "".join(stack.output)
