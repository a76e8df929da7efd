"""After a message whose password the NLU masked, Rasa's own slot extraction says the domain's
warning first, in the words of the channel (carpimko/password_warning.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.actions.action import ActionExtractSlots
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from carpimko.rasa_patches import password_warning

DOMAIN = Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml"))


class PhoneChannel(CollectingOutputChannel):
    @classmethod
    def name(cls) -> str:
        return "ivr"


def conversation(flagged: bool) -> DialogueStateTracker:
    parse = {
        "text": "mon mot de passe est [mot de passe masqué]",
        "intent": {"name": "login_problem", "confidence": 0.9},
        "entities": [],
    }
    if flagged:
        parse["password_redacted"] = True
    tracker = DialogueStateTracker("conv", DOMAIN.slots)
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered(parse["text"], parse["intent"], [], parse))
    return tracker


async def extract(tracker: DialogueStateTracker, channel: CollectingOutputChannel) -> list:
    action = ActionExtractSlots(None)
    nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    return await action.run(channel, nlg, tracker, DOMAIN)


@pytest.fixture(autouse=True)
def installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ActionExtractSlots, "run", password_warning.run)


async def test_warning_first_with_the_domain_text() -> None:
    events = await extract(conversation(flagged=True), CollectingOutputChannel())
    assert isinstance(events[0], BotUttered)
    assert events[0].text == DOMAIN.responses["utter_password_warning"][0]["text"]
    assert events[0].metadata.get("utter_action") == "utter_password_warning"
    assert not [e for e in events[1:] if isinstance(e, BotUttered)]


async def test_phone_words_on_the_phone() -> None:
    events = await extract(conversation(flagged=True), PhoneChannel())
    phone = [v for v in DOMAIN.responses["utter_password_warning"] if v.get("channel") == "ivr"]
    assert events[0].text == phone[0]["text"] and "entendu" in events[0].text


async def test_no_warning_without_a_password() -> None:
    events = await extract(conversation(flagged=False), CollectingOutputChannel())
    assert not [e for e in events if isinstance(e, BotUttered)]
