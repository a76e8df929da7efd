"""Phone calls in `make scale-test`: Twilio's requests, spread over the Rasa instances by nginx.

Each call follows Twilio's rules: the first request on the voice URL (``CallStatus=ringing``),
every later one on the ``action`` of the last ``<Gather>`` or ``<Dial>``, each signed with the
account's token (the channel checks ``X-Twilio-Signature``). nginx sends phone requests to any
instance (no ``?sender=``): consecutive turns of one call land on different processes, so the
call only goes on if its state is shared (Redis) — the point of this load. A request that fails
on a connection error or a 502/503/504 is sent again, unchanged, as a retrying proxy would.

Half of the calls stop at a fixed step until the kill has happened (killed *mid-call*); the
others run freely, so some turns are in flight when the instance dies. Checked afterwards:

- each answer says what that step must say (the call went on where it was), and no answer
  after the first one is the greeting (no restart);
- in the trackers (:func:`benchmarks.scale.check.check_all`): each turn that reached the dialogue
  stored once, in order (message id ``ivr-<turn>``), followed by bot messages — a turn sent
  twice was not processed twice, so its actions did not run twice.
"""

from __future__ import annotations

import asyncio
import random
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx
from twilio.request_validator import RequestValidator

from benchmarks.scale.check import CLIENT, Conversation, Turn, Violation
from benchmarks.scale.client import send_until_final

RESTART = "redémarrage"
GREETING = re.compile(r"^(Bonjour|Bonsoir)")
ERROR = "incident technique"  # utter_ivr_error: the turn failed


@dataclass(frozen=True)
class Step:
    """One request of a call: what the caller does, and what the answer must contain."""

    action: str  # start | press | say | silence | dial
    value: str  # keys, speech, a menu title to press (« title: … ») or DialCallStatus
    expect: str  # regular expression the spoken answer must match
    dialogue: bool = True  # the turn reaches Rasa (its message id is stored in the tracker)


SCRIPTS: tuple[tuple[Step, ...], ...] = (
    (  # forgotten password on the keypad, up to the choice (the REST load resets the same
        # dossier meanwhile: a link may already be pending, and the caller is asked first)
        Step("start", "", r"Bonjour|Bonsoir"),
        Step("press", "title:Mot de passe oublié", r"affilié ou ayant droit"),
        Step("press", "title:Affilié", r"numéro de dossier"),
        Step("press", "1234567#", r"code postal"),
        Step("press", "69003#", r"arobase|déjà été envoyé"),
        Step("say", "au revoir", r"Au revoir"),
    ),
    (  # hours, a transfer nobody answers, then the reset by speech
        Step("start", "", r"Bonjour|Bonsoir"),
        Step("say", "quels sont vos horaires", r"heures"),
        Step("say", "je veux parler à un conseiller", r"Restez en ligne"),
        Step("dial", "no-answer", r"Aucun conseiller", dialogue=False),
        Step("say", "j'ai oublié mon mot de passe", r"affilié ou ayant droit"),
        Step("say", "au revoir", r"Au revoir"),
    ),
    (  # silence, then the menu
        Step("start", "", r"Bonjour|Bonsoir"),
        Step("silence", "", r"pas entendu", dialogue=False),
        Step("press", "title:Horaires", r"heures"),
        Step("say", "au revoir", r"Au revoir"),
    ),
)
PAUSE_AT = 3
"""Calls with an even number wait before this step until one instance has been killed."""


@dataclass
class Answer:
    text: str
    next_url: str
    hangup: bool


def parse(document: str, url: str) -> Answer:
    """What Twilio would do with an answer: say it, then post to the Gather's or Dial's action."""
    root = ET.fromstring(document)
    text = " ".join((say.text or "").strip() for say in root.iter("Say"))
    verb = root.find("Gather")
    verb = verb if verb is not None else root.find("Dial")
    action = verb.get("action") if verb is not None else None
    return Answer(text, urljoin(url, action or url), root.find("Hangup") is not None)


def key_for(text: str, title: str) -> str:
    for said, digit in re.findall(r"« ([^»]+) », tapez (\d)", text):
        if said.startswith(title):
            return digit
    return ""


class PhoneCalls:
    """The calls of one run, their turns as the client saw them, and their checks."""

    def __init__(
        self,
        url: str,
        token: str,
        calls: int,
        think: float,
        run_id: str,
        deadline: float,
        attempt_timeout: float,
    ) -> None:
        self.voice_url = f"{url.rstrip('/')}/webhooks/ivr/webhook"
        self.validator = RequestValidator(token)
        self.think = think
        self.deadline = deadline
        self.attempt_timeout = attempt_timeout
        self.scripts = [SCRIPTS[i % len(SCRIPTS)] for i in range(calls)]
        self.conversations = [
            Conversation(
                f"CAscale{run_id}x{i:03d}",
                [Turn(f"ivr-{n}", step.action) for n, step in enumerate(script)],
            )
            for i, script in enumerate(self.scripts)
        ]
        self.spoken: dict[tuple[str, int], str] = {}

    def expected(self) -> dict[str, list[str]]:
        """Message ids each call's tracker must hold, in order (turns that reached Rasa)."""
        return {
            call.sender: [t.message_id for t, s in zip(call.turns, script, strict=True)
                          if s.dialogue and t.attempts]
            for call, script in zip(self.conversations, self.scripts, strict=True)
        }  # fmt: skip

    async def run(self, client: httpx.AsyncClient, killed: asyncio.Event) -> None:
        await asyncio.gather(
            *(
                self._call(client, call, script, killed if i % 2 == 0 else None)
                for i, (call, script) in enumerate(
                    zip(self.conversations, self.scripts, strict=True)
                )
            )
        )

    async def _call(
        self,
        client: httpx.AsyncClient,
        call: Conversation,
        script: tuple[Step, ...],
        pause: asyncio.Event | None,
    ) -> None:
        await asyncio.sleep(random.uniform(0, self.think * 2))
        url, last = self.voice_url, ""
        caller = f"+336{random.randrange(10**8):08d}"
        for number, (step, turn) in enumerate(zip(script, call.turns, strict=True)):
            if pause is not None and number == PAUSE_AT:
                await pause.wait()
            fields = {"CallSid": call.sender, "From": caller}
            fields["CallStatus"] = "ringing" if step.action == "start" else "in-progress"
            if step.action == "say":
                fields |= {"SpeechResult": step.value, "Confidence": "0.9"}
            elif step.action == "press":
                keys = step.value
                if keys.startswith("title:"):
                    keys = key_for(last, keys.removeprefix("title:")) or "9"
                fields["Digits"] = keys
            elif step.action == "dial":
                fields["DialCallStatus"] = step.value
            answer = await self._post(client, url, fields, turn)
            if answer is None:
                return
            self.spoken[(call.sender, number)] = answer.text
            url, last = answer.next_url, answer.text
            if answer.hangup:
                break
            await asyncio.sleep(random.uniform(self.think / 2, self.think * 1.5))
        call.finished = True

    async def _post(
        self, client: httpx.AsyncClient, url: str, form: dict[str, str], turn: Turn
    ) -> Answer | None:
        headers = {"X-Twilio-Signature": self.validator.compute_signature(url, form)}

        async def send() -> httpx.Response:
            return await client.post(url, data=form, headers=headers, timeout=self.attempt_timeout)

        response = await send_until_final(send, turn, self.deadline)
        if response is None or response.status_code != 200:
            return None
        answer = parse(response.text, url)
        turn.answers = [{"text": answer.text}]
        return answer

    def violations(self) -> list[Violation]:
        """Answers that do not say what their step must say, restarts, failed turns."""
        found: list[Violation] = []
        for call, script in zip(self.conversations, self.scripts, strict=True):
            for number, step in enumerate(script):
                text = self.spoken.get((call.sender, number))
                if text is None:
                    continue
                if number and GREETING.search(text):
                    found.append(Violation(call.sender, RESTART, f"tour {number} : {text!r}"))
                elif not re.search(step.expect, text) or ERROR in text:
                    detail = f"tour {number} : attendu /{step.expect}/, entendu {text!r}"
                    found.append(Violation(call.sender, CLIENT, detail))
        return found
