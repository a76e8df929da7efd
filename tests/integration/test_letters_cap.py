"""The portal's hourly cap on letters, through the REST channel of a stack of its own.

With one letter an hour, the first reset by post leaves as usual; the second is recorded and
waits for a person: the assistant says so (no delay promised), the demo mailbox (what left)
has nothing, and once a staff member releases it (the console's call) the letter leaves.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from benchmarks.devstack import DevStack, StackError, running_stack
from tests.integration.test_conversations_trust import Conversation

SERVICE = {"X-Service-Key": "demo-service-key"}


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    try:
        overrides = {"PORTAL_LETTERS_PER_HOUR": "1"}
        with running_stack(tmp_path_factory.mktemp("letters"), overrides) as running:
            yield running
    except StackError as error:
        pytest.fail(str(error))


def reset_by_post(stack: DevStack, dossier: str) -> str:
    """A forgotten password by post, as a person types it; the bot's last answers, joined."""
    chat = Conversation(stack)
    chat.say("j'ai oublié mon mot de passe")
    chat.say("affilié")
    texts = chat.say(dossier)
    if not any("C'est fait" in t or "enregistrée" in t for t in texts):
        texts = chat.say("par courrier")
    return "\n".join(texts)


def mailbox(stack: DevStack, dossier: str) -> list[dict]:
    answer = httpx.get(
        f"{stack.portal_url}/api/v1/demo/outbox", params={"dossier_number": dossier}, timeout=10
    )
    answer.raise_for_status()
    return list(answer.json()["messages"])


def test_past_the_cap_the_reset_is_recorded_for_a_person_and_no_letter_leaves(
    capped: DevStack,
) -> None:
    first = reset_by_post(capped, "2345678")
    assert "C'est fait" in first and "72 heures" in first, first
    assert len(mailbox(capped, "2345678")) == 1

    second = reset_by_post(capped, "1234567")
    assert "Votre demande est enregistrée" in second, second
    assert "vérifiera avant l'envoi du courrier" in second
    assert "du lundi au vendredi, de 8 h 45 à 12 h 45" in second
    assert "C'est fait" not in second and "72 heures" not in second  # no delay promised
    assert [m for m in mailbox(capped, "1234567") if m["kind"] == "courrier"] == []

    held = httpx.get(f"{capped.portal_url}/api/v1/held-letters", headers=SERVICE, timeout=10)
    [letter] = held.json()["letters"]
    assert letter["dossier_number"] == "1234567"
    released = httpx.post(
        f"{capped.portal_url}/api/v1/held-letters/{letter['letter_id']}/release",
        headers=SERVICE,
        timeout=10,
    )
    assert released.status_code == 200, released.text
    [sent] = [m for m in mailbox(capped, "1234567") if m["kind"] == "courrier"]
    assert "Mot de passe provisoire" in sent["body"]
