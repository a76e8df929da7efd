"""Calls replayed the way Twilio places them, not the way a test would like to.

Twilio fetches the number's voice URL, then follows the document: a ``<Gather>``'s result is
posted to its ``action`` URL, or, when it has none, to the URL of the document that holds it;
a ``<Dial>``'s end is posted to its ``action`` (with ``DialCallStatus``), or the call goes on
with the next verb; ``<Hangup/>`` or the end of the document ends the call. Relative URLs are
resolved against the current document's URL, whose query is therefore dropped or replaced.
Every request is signed (``X-Twilio-Signature``) as Twilio signs it, and every answer goes
through the strict TwiML checker.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin

from twilio.request_validator import RequestValidator

from tests.ivr.twiml_rules import Answer, check_twiml

MAX_WORDS = 40
"""Longest turn a caller can follow (issue 19: about 35 words)."""
AUTH_TOKEN = "test-twilio-auth-token"
"""The Twilio account's auth token the test channel is configured with."""

Post = Callable[[str, dict[str, str], dict[str, str]], Awaitable[tuple[int, str]]]
"""(absolute URL, form, headers) → (HTTP status, body)."""


@dataclass
class Request:
    url: str
    form: dict[str, str]


@dataclass
class TwilioCall:
    """One caller, driven through Twilio's URL rules; ``requests`` lists what was posted."""

    post: Post
    voice_url: str
    token: str = AUTH_TOKEN
    sid: str = field(default_factory=lambda: f"CA{uuid.uuid4().hex}")
    caller: str = field(default_factory=lambda: f"+336{uuid.uuid4().int % 10**8:08d}")
    requests: list[Request] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    document_url: str = ""
    ended: bool = False

    @property
    def last(self) -> Answer:
        return self.answers[-1]

    async def _fetch(self, url: str, fields: dict[str, str]) -> Answer:
        assert not self.ended, "the call is over: Twilio posts nothing more"
        form = {
            "CallSid": self.sid,
            "AccountSid": "AC" + "0" * 32,
            "From": self.caller,
            "To": "+33130481000",
            "CallStatus": "in-progress",
            **fields,
        }
        signature = RequestValidator(self.token).compute_signature(url, form)
        status, body = await self.post(url, form, {"X-Twilio-Signature": signature})
        assert status == 200, f"{url} → {status}: {body}"
        answer = check_twiml(body)
        words = len(re.findall(r"[^\W_]+(?:['’-][^\W_]+)*", answer.text))
        assert words <= MAX_WORDS, f"{words} words in one turn: {answer.text!r}"
        self.requests.append(Request(url, form))
        self.answers.append(answer)
        self.document_url = url
        self.ended = answer.hangup or (answer.gather is None and answer.dial is None)
        return answer

    async def start(self) -> Answer:
        """The call comes in: Twilio fetches the number's voice URL, the call still ringing."""
        return await self._fetch(self.voice_url, {"CallStatus": "ringing"})

    def _gather_url(self) -> str:
        gather = self.last.gather
        assert gather is not None, f"nothing is listening: {self.last.text!r}"
        return urljoin(self.document_url, gather.get("action") or self.document_url)

    async def say(self, speech: str, confidence: float = 0.92) -> Answer:
        fields = {"SpeechResult": speech, "Confidence": str(confidence)}
        return await self._fetch(self._gather_url(), fields)

    async def press(self, keys: str) -> Answer:
        return await self._fetch(self._gather_url(), {"Digits": keys})

    async def silence(self) -> Answer:
        """The Gather's timeout: ``actionOnEmptyResult`` makes Twilio post an empty result."""
        assert self.last.gather is not None
        assert self.last.gather.get("actionOnEmptyResult") == "true", "silence would fall through"
        return await self._fetch(self._gather_url(), {})

    async def dial_ends(self, status: str) -> Answer:
        """The advisors' leg ends (``completed``, ``no-answer``, ``busy``, ``failed``)."""
        assert self.last.dial is not None, "no transfer in progress"
        action = self.last.dial_attributes.get("action")
        assert action, "a Dial without action: the call would go on past it, then end"
        url = urljoin(self.document_url, action)
        return await self._fetch(url, {"DialCallStatus": status, "DialCallDuration": "0"})

    async def hang_up(self, status_url: str) -> int:
        """The caller hangs up: Twilio posts nothing to the Gather, only the status callback."""
        form = {"CallSid": self.sid, "From": self.caller, "CallStatus": "completed"}
        signature = RequestValidator(self.token).compute_signature(status_url, form)
        status, _ = await self.post(status_url, form, {"X-Twilio-Signature": signature})
        self.ended = True
        return status


def key_for(answer: Answer, title_start: str) -> str:
    """The digit an answer offered for a choice (« « X », tapez N. », utter_ivr_choice)."""
    for title, digit in re.findall(r"« ([^»]+) », tapez (\d)", answer.text):
        if title.startswith(title_start):
            return digit
    raise AssertionError(f"no key for {title_start!r} in {answer.text!r}")
