"""Phone line (IVR) input channel: French speech and keypad in, spoken answers and TwiML out.

Rasa's own ``twilio_voice`` connector recognises speech as US English and ignores the keypad.
This channel serves:

- ``POST /webhooks/ivr/webhook``: Twilio voice webhooks (form fields ``CallSid``, ``From``,
  ``SpeechResult``, ``Confidence``, ``Digits``, ``DialCallStatus``) answered with TwiML;
- ``POST /webhooks/ivr/turn``: the same turn as provider-neutral JSON, for other IVR platforms
  (``docs/ivr.md``).

One conversation per call (sender id = ``CallSid``). Between turns the channel remembers, per
call, what the caller may answer: the keypad mapping of the last buttons (digit → payload),
whether a number is expected (``custom.ivr.expect`` of the response: the Gather then ends on
« # » and spoken digits are normalised), the last question (« * » repeats it), and how many
silences or unrecognised answers came in a row (two reprompts, then goodbye after silence, or
the advisor flow after speech that is not understood).

Responses meant for the phone are chosen by Rasa from the ``channel: ivr`` variants of the
domain, then :mod:`carpimko.speech` makes them speakable. A response whose ``custom.ivr`` holds
``hangup: true`` ends the call; ``transfer: "+33…"`` (sent by ``action_human_handoff`` during
opening hours) dials the advisors.

credentials.yml::

    carpimko.channels.ivr.IVRInput:
      voice: Polly.Lea            # a Twilio voice that speaks fr-FR
      min_confidence: 0.3         # below, speech counts as not understood
      auth_token: ${IVR_TWILIO_AUTH_TOKEN}   # optional: check X-Twilio-Signature
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, Request
from sanic.response import HTTPResponse
from sanic.response import json as json_response
from sanic.response import text as text_response
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse

from carpimko.channels.guard import valid_sender
from carpimko.normalize import digits_only, find_number_runs, fold
from carpimko.speech import CHOICE_TEMPLATE, keypad_menu, speak

logger = logging.getLogger(__name__)

CHANNEL_NAME = "ivr"
LANGUAGE = "fr-FR"
START_PAYLOAD = "/greet"
HANDOFF_PAYLOAD = "/human_handoff"
MAX_MISSES = 2
"""Silences or unrecognised answers reprompted before giving up (goodbye or an advisor)."""
NOT_UNDERSTOOD_RESPONSES = frozenset({"utter_default"})
"""Rasa's answers that mean the caller's speech was not understood (counted as a miss)."""
DIAL_ANSWERED = frozenset({"completed", "answered"})
PHRASES = (
    "utter_ivr_choice",
    "utter_ivr_no_input",
    "utter_ivr_not_understood",
    "utter_ivr_anything_else",
    "utter_ivr_goodbye_no_input",
    "utter_ivr_offer_advisor",
    "utter_ivr_transfer_failed",
    "utter_ivr_error",
)
"""The channel's own sentences, read from the domain (French wording stays in domain.yml)."""


# --- what the bot said, as Rasa sends it ----------------------------------------------------
class IVROutput(OutputChannel):
    """Collects whole bot messages (text, buttons, custom, utter_action) for one turn.

    Its name is ``ivr``, so Rasa picks the ``channel: ivr`` variants of the responses.
    """

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.messages.append(dict(message))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        self.messages.append({"text": text})


# --- per-call memory ------------------------------------------------------------------------
@dataclass
class Expectation:
    """A number is expected (dossier, postal code, phone): Gather ends on « # »."""

    entity: str | None = None
    keys: dict[str, str] = field(default_factory=dict)


@dataclass
class CallState:
    keys: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    expect: Expectation | None = None
    last_prompt: list[str] = field(default_factory=list)
    misses: int = 0
    touched: float = field(default_factory=time.monotonic)


class CallStore:
    """Calls in progress, in memory (one Rasa process), forgotten after ``ttl`` seconds."""

    def __init__(self, ttl: float = 3600.0, max_calls: int = 10_000) -> None:
        self.ttl = ttl
        self.max_calls = max_calls
        self._calls: OrderedDict[str, CallState] = OrderedDict()

    def get(self, call_id: str) -> CallState | None:
        self._expire()
        state = self._calls.get(call_id)
        if state is not None:
            state.touched = time.monotonic()
            self._calls.move_to_end(call_id)
        return state

    def start(self, call_id: str) -> CallState:
        self._expire()
        state = CallState()
        self._calls[call_id] = state
        while len(self._calls) > self.max_calls:
            self._calls.popitem(last=False)
        return state

    def end(self, call_id: str) -> None:
        self._calls.pop(call_id, None)

    def _expire(self) -> None:
        horizon = time.monotonic() - self.ttl
        while self._calls:
            call_id, state = next(iter(self._calls.items()))
            if state.touched > horizon:
                break
            del self._calls[call_id]


# --- one turn, provider-neutral -----------------------------------------------------------------
@dataclass
class Gather:
    """Listen for the caller: speech and keypad, in French."""

    finish_on_key: str | None = None
    num_digits: int | None = None
    timeout: int = 6
    hints: list[str] = field(default_factory=list)
    input: list[str] = field(default_factory=lambda: ["speech", "dtmf"])
    language: str = LANGUAGE


@dataclass
class Turn:
    """What the phone platform does next: say, then listen, transfer or hang up."""

    say: list[str]
    gather: Gather | None = None
    transfer: str | None = None
    hangup: bool = False
    keypad: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "say": self.say,
            "language": LANGUAGE,
            "gather": asdict(self.gather) if self.gather else None,
            "transfer": {"number": self.transfer} if self.transfer else None,
            "hangup": self.hangup,
            "keypad": self.keypad,
        }


@dataclass
class CallerInput:
    """One webhook of a call, whatever the provider."""

    call_id: str
    text: str = ""
    digits: str = ""
    confidence: float | None = None
    caller: str = ""
    dial_status: str | None = None


OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class IVRInput(InputChannel):
    """``ivr`` channel: ``/webhooks/ivr/webhook`` (Twilio TwiML) and ``/webhooks/ivr/turn``."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        return cls(
            voice=str(credentials.get("voice") or "Polly.Lea"),
            min_confidence=float(credentials.get("min_confidence") or 0.3),
            auth_token=str(
                credentials.get("auth_token") or os.environ.get("IVR_TWILIO_AUTH_TOKEN", "")
            ),
            public_url=str(credentials.get("public_url") or os.environ.get("IVR_PUBLIC_URL", "")),
        )

    def __init__(
        self,
        voice: str = "Polly.Lea",
        min_confidence: float = 0.3,
        auth_token: str = "",
        public_url: str = "",
    ) -> None:
        self.voice = voice
        self.min_confidence = min_confidence
        self.validator = RequestValidator(auth_token) if auth_token else None
        self.public_url = public_url.rstrip("/")
        self.calls = CallStore()
        self.phrases: dict[str, str] = {}

    # --- routes ---------------------------------------------------------------------------
    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        bp = Blueprint("ivr_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return json_response({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            form = {k: request.form.get(k) for k in request.form}
            if self.validator is not None and not self._signed(request, form):
                return text_response("signature invalide", status=403)
            call = CallerInput(
                call_id=str(form.get("CallSid") or "").strip(),
                text=str(form.get("SpeechResult") or ""),
                digits=str(form.get("Digits") or ""),
                confidence=_float(form.get("Confidence")),
                caller=str(form.get("From") or ""),
                dial_status=(
                    str(form.get("DialCallStatus") or "")
                    if request.args.get("event") == "dial"
                    else None
                ),
            )
            if not valid_sender(call.call_id):
                return text_response("CallSid manquant ou invalide", status=400)
            self._load_phrases(request)
            turn = await self.turn(call, on_new_message)
            return HTTPResponse(self.twiml(turn), content_type="application/xml; charset=utf-8")

        @bp.route("/turn", methods=["POST"])
        async def json_turn(request: Request) -> HTTPResponse:
            body = request.json if isinstance(request.json, dict) else {}
            call_id = body.get("call_id")
            if not valid_sender(call_id):
                message = "call_id est obligatoire : 1 à 128 lettres, chiffres ou _ . : @ + -."
                return json_response({"error": message}, status=400)
            call = CallerInput(
                call_id=str(call_id),
                text=str(body.get("text") or ""),
                digits=str(body.get("digits") or ""),
                confidence=_float(body.get("confidence")),
                caller=str(body.get("caller") or ""),
                dial_status=(str(body.get("dial_status")) if body.get("dial_status") else None),
            )
            self._load_phrases(request)
            turn = await self.turn(call, on_new_message)
            return json_response(turn.as_json())

        return bp

    def _signed(self, request: Request, form: dict[str, Any]) -> bool:
        assert self.validator is not None
        url = request.url
        if self.public_url:
            query = f"?{request.query_string}" if request.query_string else ""
            url = self.public_url + request.path + query
        signature = request.headers.get("X-Twilio-Signature", "")
        return bool(self.validator.validate(url, form, signature))

    def _load_phrases(self, request: Request) -> None:
        """The channel's own sentences come from the domain (utter_ivr_*), like every answer."""
        if self.phrases:
            return
        agent = getattr(request.app.ctx, "agent", None)
        domain = getattr(agent, "domain", None)
        responses = getattr(domain, "responses", None) or {}
        if not responses:  # model not loaded yet: try again on the next request
            return
        for name in PHRASES:
            variants = responses.get(name) or [{}]
            self.phrases[name] = str(variants[0].get("text") or "")

    def phrase(self, name: str) -> str:
        return self.phrases.get(f"utter_ivr_{name}", "")

    # --- the turn ---------------------------------------------------------------------------
    async def turn(self, call: CallerInput, on_new_message: OnNewMessage) -> Turn:
        """Decide what the caller's input means, ask Rasa if needed, and say what comes next."""
        state = self.calls.get(call.call_id)
        if state is None:
            state = self.calls.start(call.call_id)
            return await self._ask_rasa(call, state, START_PAYLOAD, on_new_message)
        if call.dial_status is not None:
            return self._after_dial(call, state)
        digits = "".join(ch for ch in call.digits if ch.isdigit() or ch in "*#").rstrip("#")
        text = call.text.strip()
        if digits:
            return await self._keypad(call, state, digits, on_new_message)
        if not text:
            return await self._miss(call, state, on_new_message, silence=True)
        if call.confidence is not None and call.confidence < self.min_confidence:
            return await self._miss(call, state, on_new_message, silence=False)
        if state.expect is not None:
            number = _spoken_number(text)
            if number:
                return await self._ask_rasa(
                    call, state, _number_message(state.expect, number), on_new_message
                )
        elif state.keys:
            choice = _spoken_choice(text, state)
            if choice:  # « un », « le deux », or a menu title said word for word
                return await self._ask_rasa(call, state, state.keys[choice], on_new_message)
        return await self._ask_rasa(call, state, text, on_new_message)

    async def _keypad(
        self, call: CallerInput, state: CallState, digits: str, on_new_message: OnNewMessage
    ) -> Turn:
        if state.expect is not None:
            if digits in state.expect.keys:
                return await self._ask_rasa(call, state, state.expect.keys[digits], on_new_message)
            number = digits.replace("*", "")
            if number:
                message = _number_message(state.expect, number)
                return await self._ask_rasa(call, state, message, on_new_message)
        if digits == "*":
            return self._repeat(state)
        if digits in state.keys:
            return await self._ask_rasa(call, state, state.keys[digits], on_new_message)
        return await self._miss(call, state, on_new_message, silence=False)

    def _repeat(self, state: CallState) -> Turn:
        return self._listen(list(state.last_prompt), state)

    async def _miss(
        self, call: CallerInput, state: CallState, on_new_message: OnNewMessage, *, silence: bool
    ) -> Turn:
        """Nothing heard or nothing understood: reprompt twice, then goodbye or an advisor."""
        state.misses += 1
        if state.misses <= MAX_MISSES:
            lead = self.phrase("no_input" if silence else "not_understood")
            return self._listen([s for s in (lead, *state.last_prompt) if s], state)
        if silence:
            self.calls.end(call.call_id)
            return Turn(say=[self.phrase("goodbye_no_input")], hangup=True)
        return await self._escalate(call, state, on_new_message)

    async def _ask_rasa(
        self, call: CallerInput, state: CallState, message: str, on_new_message: OnNewMessage
    ) -> Turn:
        output = IVROutput()
        metadata = {"client_id": _caller_key(call)}
        try:
            await on_new_message(
                UserMessage(
                    message,
                    output,
                    call.call_id,
                    input_channel=CHANNEL_NAME,
                    metadata=metadata,
                )
            )
        except Exception as error:
            # Only the type: database errors quote their parameters, i.e. what the caller said.
            logger.error(
                "IVR turn failed for call %s (%s)", _caller_key(call), type(error).__name__
            )
            self.calls.end(call.call_id)
            return Turn(say=[self.phrase("error")], hangup=True)
        turn = self.render(output.messages, state)
        if any(m.get("utter_action") in NOT_UNDERSTOOD_RESPONSES for m in output.messages):
            state.misses += 1
            if state.misses > MAX_MISSES:
                return await self._escalate(call, state, on_new_message)
        else:
            state.misses = 0
        if turn.hangup:
            self.calls.end(call.call_id)
        return turn

    async def _escalate(
        self, call: CallerInput, state: CallState, on_new_message: OnNewMessage
    ) -> Turn:
        """After two reprompts on speech not understood: the advisor flow (transfer or callback)."""
        state.misses = 0
        offer = self.phrase("offer_advisor")
        turn = await self._ask_rasa(call, state, HANDOFF_PAYLOAD, on_new_message)
        turn.say = [s for s in (offer, *turn.say) if s]
        return turn

    def _after_dial(self, call: CallerInput, state: CallState) -> Turn:
        if (call.dial_status or "").lower() in DIAL_ANSWERED:
            self.calls.end(call.call_id)
            return Turn(say=[], hangup=True)
        return self._listen(
            [s for s in (self.phrase("transfer_failed"), self.phrase("anything_else")) if s], state
        )

    def render(self, messages: list[dict[str, Any]], state: CallState) -> Turn:
        """Rasa's messages → sentences, one keypad menu, expectation, transfer or hang-up.

        The buttons of every message of the turn make a single menu, numbered in order and
        read after the sentences: a caller hears one « tapez 1 », never two.
        """
        say: list[str] = []
        buttons: list[dict[str, Any]] = []
        expect: Expectation | None = None
        transfer: str | None = None
        hangup = False
        for message in messages:
            text = speak(str(message.get("text") or ""))
            if text:
                say.append(text)
            for button in message.get("buttons") or []:
                if all(button.get("payload") != b.get("payload") for b in buttons):
                    buttons.append(button)
            custom = message.get("custom")
            ivr = custom.get("ivr") if isinstance(custom, dict) else None
            if isinstance(ivr, dict):
                if ivr.get("expect"):
                    entity = ivr.get("entity")
                    raw_keys = ivr.get("keys") or {}
                    expect = Expectation(
                        str(entity) if entity else None,
                        {str(k): str(v) for k, v in raw_keys.items()},
                    )
                if ivr.get("transfer"):
                    transfer = str(ivr["transfer"])
                hangup = hangup or bool(ivr.get("hangup"))
        menu = keypad_menu(buttons, self.phrase("choice") or CHOICE_TEMPLATE)
        state.keys, state.titles, state.expect = menu.keys, menu.titles, expect
        if hangup:
            return Turn(say=say, hangup=True)
        if transfer:
            return Turn(say=say, transfer=transfer)
        prompt = say[-1:]
        if menu.prompt:
            say.append(menu.prompt)
            prompt = [*prompt, menu.prompt]
        elif expect is None and not (say and say[-1].endswith("?")):
            follow_up = self.phrase("anything_else")
            if follow_up:
                say.append(follow_up)
                prompt = [follow_up]
        state.last_prompt = prompt
        return self._listen(say, state)

    def _listen(self, say: list[str], state: CallState) -> Turn:
        if state.expect is not None:
            gather = Gather(finish_on_key="#", timeout=10)
        elif state.keys:
            gather = Gather(num_digits=1, hints=list(state.titles.values()))
        else:
            gather = Gather()
        return Turn(say=say, gather=gather, keypad=dict(state.titles))

    # --- TwiML ---------------------------------------------------------------------------------
    def twiml(self, turn: Turn) -> str:
        """The turn as TwiML (twilio's builder: always well-formed, attributes escaped)."""
        response = VoiceResponse()
        if turn.gather is not None:
            attributes: dict[str, Any] = {
                "input": " ".join(turn.gather.input),
                "language": turn.gather.language,
                "timeout": turn.gather.timeout,
                "speech_timeout": "auto",
                "action_on_empty_result": True,
                "method": "POST",
            }
            if turn.gather.finish_on_key:
                attributes["finish_on_key"] = turn.gather.finish_on_key
            if turn.gather.num_digits:
                attributes["num_digits"] = turn.gather.num_digits
            if turn.gather.hints:
                attributes["hints"] = ", ".join(turn.gather.hints)
            gather = response.gather(**attributes)
            for sentence in turn.say:
                gather.say(sentence, language=LANGUAGE, voice=self.voice)
            return str(response.to_xml(xml_declaration=True))
        for sentence in turn.say:
            if sentence:
                response.say(sentence, language=LANGUAGE, voice=self.voice)
        if turn.transfer:
            response.dial(turn.transfer, action="webhook?event=dial", method="POST", timeout=30)
        if turn.hangup:
            response.hangup()
        return str(response.to_xml(xml_declaration=True))


def _float(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _caller_key(call: CallerInput) -> str:
    """Who the portal rate-limits: a hash of the calling number, never the number itself."""
    source = call.caller or call.call_id
    return "ivr-" + hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def _spoken_number(text: str) -> str:
    """Digits of a dictated number (« un deux trois… », « 12 34 567 »), or "" if none."""
    runs = find_number_runs(text)
    if not runs:
        return ""
    return digits_only(text)


def _spoken_choice(text: str, state: CallState) -> str | None:
    """The key a short spoken answer designates: « un », « le deux », « touche 3 », a title."""
    words = re.findall(r"[^\W_]+", fold(text))
    said = " ".join(words)
    for digit, title in state.titles.items():
        if said == " ".join(re.findall(r"[^\W_]+", fold(title))):
            return digit
    if 0 < len(words) <= 3:
        number = _spoken_number(text)
        if number in state.keys:
            return number
    return None


def _number_message(expect: Expectation, digits: str) -> str:
    """An expected number for Rasa: as its entity when the response named one, else the digits."""
    if expect.entity:
        return f'/inform{{"{expect.entity}":"{digits}"}}'
    return digits
