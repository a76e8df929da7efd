"""Phone line (IVR) input channel: French speech and keypad in, spoken answers and TwiML out.

Rasa's own ``twilio_voice`` connector recognises speech as US English and ignores the keypad.
This channel serves:

- ``POST /webhooks/ivr/webhook``: Twilio voice webhooks (form fields ``CallSid``, ``From``,
  ``SpeechResult``, ``Confidence``, ``Digits``) answered with TwiML; ``/dial``: the end of a
  transfer (``DialCallStatus``); ``/status``: Twilio's call status callback (hang-up);
- ``POST /webhooks/ivr/turn``: the same turn as provider-neutral JSON, for other IVR platforms
  (``docs/ivr.md``), behind a bearer token.

One conversation per call (sender id = ``CallSid``). Between turns the channel remembers, per
call, what the caller may answer: the keypad mapping of the last buttons (digit → payload),
whether a number is expected (``custom.ivr.expect`` of the response: the Gather then ends on
« # » and spoken digits are normalised), the last question (« * » repeats it), how many
silences or unrecognised answers came in a row (two reprompts, then goodbye after silence, or
the advisor flow after speech that is not understood), and whether a transfer is in progress.
That memory lives outside the process (:mod:`carpimko.channels.ivr_state`: Redis when Rasa's
lock store is Redis), so any instance takes any turn of a call.

Twilio posts a ``<Gather>``'s result to its ``action``, else to the URL of the document that
holds it: every ``<Gather>`` and ``<Dial>`` therefore names its action (``webhook?turn=N``,
``dial?turn=N``), never a URL that carries an earlier event. ``N`` numbers the answers of the
call: a request that reaches the server twice (a proxy retrying on another instance) gets the
document already produced, and its user message carries ``message_id`` ``ivr-N`` so that
Rasa processes it once (:mod:`carpimko.channels.idempotency`).

Responses meant for the phone are chosen by Rasa from the ``channel: ivr`` variants of the
domain, then :mod:`carpimko.text.speech` makes them speakable. A response whose ``custom.ivr`` holds
``hangup: true`` ends the call; ``transfer: "+33…"`` (sent by ``action_human_handoff`` during
opening hours) dials the advisors.

Settings (credentials.yml keys, else the environment; docs/ivr.md):

- ``auth_token`` / ``IVR_TWILIO_AUTH_TOKEN``: the Twilio account's token; ``check_signature`` /
  ``IVR_TWILIO_SIGNATURE`` (``on`` by default): without a valid ``X-Twilio-Signature`` a
  webhook gets 403 — and every webhook does while the token is missing. ``off`` only for a
  demo or tests;
- ``public_url`` / ``IVR_PUBLIC_URL``: the base URL Twilio calls, when a proxy rewrites it;
- ``turn_token`` / ``IVR_TURN_TOKEN``: ``Authorization: Bearer …`` of the JSON API (closed
  without it);
- ``voice`` (a Twilio voice that speaks fr-FR), ``min_confidence`` (0.3).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
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

from carpimko import facts
from carpimko.channels.client import request_client
from carpimko.channels.guard import TOO_MANY_MESSAGES, valid_sender
from carpimko.channels.ivr_state import CallState, CallStore, Expectation, store_for
from carpimko.channels.limits import TurnLimiter, shared_limiter
from carpimko.text.normalize import digits_only, find_number_runs, fold
from carpimko.text.speech import CHOICE_TEMPLATE, keypad_menu, speak

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
CALL_ENDED = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
"""Twilio's final ``CallStatus`` values: the call's memory can go."""
SWITCHED_OFF = frozenset({"0", "off", "false", "no", "non"})
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
    client: str = ""
    """The transport's client address (:mod:`carpimko.channels.client`): the rate limit's key,
    never a field of the request."""


OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class IVRInput(InputChannel):
    """``ivr`` channel: Twilio routes (``webhook``, ``dial``, ``status``) and the JSON ``turn``."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}

        def setting(key: str, variable: str, default: str = "") -> str:
            value = credentials.get(key)
            return str(value if value not in (None, "") else os.environ.get(variable, default))

        return cls(
            voice=str(credentials.get("voice") or "Polly.Lea"),
            min_confidence=float(credentials.get("min_confidence") or 0.3),
            auth_token=setting("auth_token", "IVR_TWILIO_AUTH_TOKEN"),
            public_url=setting("public_url", "IVR_PUBLIC_URL"),
            check_signature=setting("check_signature", "IVR_TWILIO_SIGNATURE", "on").lower()
            not in SWITCHED_OFF,
            turn_token=setting("turn_token", "IVR_TURN_TOKEN"),
        )

    def __init__(
        self,
        voice: str = "Polly.Lea",
        min_confidence: float = 0.3,
        auth_token: str = "",
        public_url: str = "",
        check_signature: bool = True,
        turn_token: str = "",
        store: CallStore | None = None,
        limiter: TurnLimiter | None = None,
    ) -> None:
        self.voice = voice
        self.min_confidence = min_confidence
        self.check_signature = check_signature
        self.validator = RequestValidator(auth_token) if auth_token else None
        if check_signature and self.validator is None:
            logger.error(
                "IVR: IVR_TWILIO_AUTH_TOKEN is not set and the signature check is on: every "
                "Twilio webhook is refused (403). Set the token, or IVR_TWILIO_SIGNATURE=off "
                "for a demo."
            )
        self.public_url = public_url.rstrip("/")
        self.turn_token = turn_token
        self.store = store
        self.limiter = limiter
        self.phrases: dict[str, str] = {}

    # --- routes ---------------------------------------------------------------------------
    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        bp = Blueprint("ivr_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return json_response({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            # ``?event=dial``: the Dial action of documents served before the ``dial`` route.
            dial = request.args.get("event") == "dial"
            return await self._twilio(request, on_new_message, dial=dial)

        @bp.route("/dial", methods=["POST"])
        async def dial(request: Request) -> HTTPResponse:
            return await self._twilio(request, on_new_message, dial=True)

        @bp.route("/status", methods=["POST"])
        async def status(request: Request) -> HTTPResponse:
            form = {k: request.form.get(k) for k in request.form}
            if not self._signed(request, form):
                return text_response("signature invalide", status=403)
            call_id = str(form.get("CallSid") or "")
            if valid_sender(call_id) and str(form.get("CallStatus") or "") in CALL_ENDED:
                self._store(request).end(call_id)
            return HTTPResponse(status=204)

        @bp.route("/turn", methods=["POST"])
        async def json_turn(request: Request) -> HTTPResponse:
            if not self._turn_authorised(request):
                return json_response({"error": "jeton manquant ou invalide"}, status=401)
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
                client=request_client(request),
            )
            self._load_phrases(request)
            store = self._store(request)
            state, turn = await self.turn(call, store.load(call.call_id), on_new_message)
            self._keep(store, call.call_id, state, turn, "")
            return json_response(turn.as_json())

        return bp

    async def _twilio(
        self, request: Request, on_new_message: OnNewMessage, *, dial: bool
    ) -> HTTPResponse:
        """One Twilio request: a request sent twice gets the same document, once processed."""
        form = {k: request.form.get(k) for k in request.form}
        if not self._signed(request, form):
            return text_response("signature invalide", status=403)
        call = CallerInput(
            call_id=str(form.get("CallSid") or "").strip(),
            text=str(form.get("SpeechResult") or ""),
            digits=str(form.get("Digits") or ""),
            confidence=_float(form.get("Confidence")),
            caller=str(form.get("From") or ""),
            dial_status=str(form.get("DialCallStatus") or "") if dial else None,
            client=request_client(request),
        )
        if not valid_sender(call.call_id):
            return text_response("CallSid manquant ou invalide", status=400)
        self._load_phrases(request)
        store = self._store(request)
        state = store.load(call.call_id)
        number = _turn_number(request.args.get("turn"), form.get("CallStatus"))
        if state is not None and state.answer and number == state.turn - 1:
            logger.info("IVR request of turn %d received again: same answer sent", number)
            return _xml(state.answer)
        state, turn = await self.turn(call, state, on_new_message)
        document = self.twiml(turn, state.turn)
        self._keep(store, call.call_id, state, turn, document)
        return _xml(document)

    def _store(self, request: Request) -> CallStore:
        """The call store shared like Rasa's lock store (Redis in production), chosen once."""
        if self.store is None:
            agent = getattr(request.app.ctx, "agent", None)
            self.store = store_for(getattr(agent, "lock_store", None))
            logger.info("IVR call state kept in %s", type(self.store).__name__)
        return self.store

    @staticmethod
    def _keep(store: CallStore, call_id: str, state: CallState, turn: Turn, answer: str) -> None:
        state.answer = answer
        state.ended = turn.hangup
        store.save(call_id, state)

    def _signed(self, request: Request, form: dict[str, Any]) -> bool:
        """Twilio's X-Twilio-Signature over the URL Twilio called; False without a token."""
        if not self.check_signature:
            return True
        if self.validator is None:
            return False
        url = request.url
        if self.public_url:
            query = f"?{request.query_string}" if request.query_string else ""
            url = self.public_url + request.path + query
        signature = request.headers.get("X-Twilio-Signature", "")
        return bool(self.validator.validate(url, form, signature))

    def _turn_authorised(self, request: Request) -> bool:
        """``Authorization: Bearer <IVR_TURN_TOKEN>``; the JSON API is closed without a token."""
        if not self.turn_token:
            return False
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), self.turn_token.encode())

    def _load_phrases(self, request: Request) -> None:
        """The channel's own sentences come from the domain (utter_ivr_*), like every answer."""
        if self.phrases:
            return
        agent = getattr(request.app.ctx, "agent", None)
        domain = getattr(agent, "domain", None)
        responses = getattr(domain, "responses", None) or {}
        if responses:  # else the model is not loaded yet: try again on the next request
            self.load_phrases(responses)

    def load_phrases(self, responses: dict[str, list[dict[str, Any]]]) -> None:
        """Read the channel's sentences from the domain's responses, the fund's facts filled
        (they are sent without Rasa's response generator)."""
        for name in PHRASES:
            variants = responses.get(name) or [{}]
            self.phrases[name] = facts.fill(str(variants[0].get("text") or ""))
        self.phrases[TOO_MANY_MESSAGES] = facts.fill(
            phone_text(responses.get(TOO_MANY_MESSAGES) or [])
        )

    def phrase(self, name: str) -> str:
        return self.phrases.get(f"utter_ivr_{name}", "")

    # --- the turn ---------------------------------------------------------------------------
    async def turn(
        self, call: CallerInput, state: CallState | None, on_new_message: OnNewMessage
    ) -> tuple[CallState, Turn]:
        """Decide what the caller's input means, ask Rasa if needed, and say what comes next.

        ``state`` is the call's memory as stored after the previous turn (None: a new call);
        the returned state, numbered one turn further, is what the next turn needs.
        """
        if state is None or state.ended:
            state = CallState()
            turn = await self._ask_rasa(call, state, START_PAYLOAD, on_new_message)
        else:
            turn = await self._answer(call, state, on_new_message)
        state.turn += 1
        return state, turn

    async def _answer(
        self, call: CallerInput, state: CallState, on_new_message: OnNewMessage
    ) -> Turn:
        if call.dial_status is not None and state.dialing:
            return self._after_dial(call, state)
        state.dialing = False
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
            return Turn(say=[self.phrase("goodbye_no_input")], hangup=True)
        return await self._escalate(call, state, on_new_message)

    async def _ask_rasa(
        self,
        call: CallerInput,
        state: CallState,
        message: str,
        on_new_message: OnNewMessage,
        *,
        part: str = "",
    ) -> Turn:
        limiter = shared_limiter() if self.limiter is None else self.limiter
        # Per caller, not per transport address: behind Twilio every call comes from Twilio's
        # addresses, which would make one budget for the whole line. The number is Twilio's
        # (the request is signed) or the gateway's (token), never one an HTTP client picks.
        wait = limiter.hit(call.call_id, _caller_key(call))
        if wait:
            return self._throttled(call, wait)
        output = IVROutput()
        # The message id (turn number) makes a turn sent twice be processed once
        # (carpimko/channels/idempotency.py): the retry gets the answers stored the first time.
        metadata = {"client_id": _caller_key(call), "message_id": f"ivr-{state.turn}{part}"}
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
            return Turn(say=[self.phrase("error")], hangup=True)
        turn = self.render(output.messages, state)
        if any(m.get("utter_action") in NOT_UNDERSTOOD_RESPONSES for m in output.messages):
            state.misses += 1
            if state.misses > MAX_MISSES:
                return await self._escalate(call, state, on_new_message)
        else:
            state.misses = 0
        return turn

    def _throttled(self, call: CallerInput, wait: int) -> Turn:
        """Over the channels' rate limit (per call, per client address): when to call back and
        the advisors' hours, then hang up; nothing reaches the dialogue or the store."""
        logger.warning("IVR turn refused: rate limit (call %s)", _caller_key(call))
        minutes = str(max(1, -(-wait // 60)))
        text = self.phrases.get(TOO_MANY_MESSAGES, "").replace("{minutes}", minutes)
        return Turn(say=[s for s in (speak(text),) if s], hangup=True)

    async def _escalate(
        self, call: CallerInput, state: CallState, on_new_message: OnNewMessage
    ) -> Turn:
        """After two reprompts on speech not understood: the advisor flow (transfer or callback)."""
        state.misses = 0
        offer = self.phrase("offer_advisor")
        turn = await self._ask_rasa(call, state, HANDOFF_PAYLOAD, on_new_message, part="-h")
        if not turn.hangup:  # a refused turn hangs up: no offer before the goodbye
            turn.say = [s for s in (offer, *turn.say) if s]
        return turn

    def _after_dial(self, call: CallerInput, state: CallState) -> Turn:
        state.dialing = False
        if (call.dial_status or "").lower() in DIAL_ANSWERED:
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
        state.dialing = bool(transfer) and not hangup
        if hangup:
            return Turn(say=say, hangup=True)
        if transfer:
            return Turn(say=say, transfer=transfer)
        prompt = say[-1:]
        if menu.prompt:
            say.append(menu.prompt)
            prompt = [*prompt, menu.prompt]
        elif expect is None and not any("?" in sentence for sentence in say):
            # One question per turn: a turn that already asks one gets no second.
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
    def twiml(self, turn: Turn, number: int) -> str:
        """The turn as TwiML (twilio's builder: always well-formed, attributes escaped).

        Every ``<Gather>`` and ``<Dial>`` names its ``action``: Twilio would otherwise post the
        next answer to the URL of this document, which may be the ``dial`` route. ``number``
        (``?turn=``) tells the next request apart from this one sent again.
        """
        response = VoiceResponse()
        if turn.gather is not None:
            attributes: dict[str, Any] = {
                "action": f"webhook?turn={number}",
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
            response.dial(turn.transfer, action=f"dial?turn={number}", method="POST", timeout=30)
        if turn.hangup:
            response.hangup()
        return str(response.to_xml(xml_declaration=True))


def _xml(document: str) -> HTTPResponse:
    return HTTPResponse(document, content_type="application/xml; charset=utf-8")


def _turn_number(turn: Any, call_status: Any) -> int | None:
    """Which answer a Twilio request follows: ``?turn=N`` of the action URL; 0 for the call's
    first request (``CallStatus=ringing``, on the number's voice URL); None when unknown (a
    client that does not follow the actions: never taken for a request sent twice)."""
    if turn is None:
        return 0 if call_status == "ringing" else None
    try:
        return int(turn)
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def phone_text(variants: list[dict[str, Any]]) -> str:
    """The text of a response's ``channel: ivr`` variant, else of its first variant."""
    phone = [v for v in variants if v.get("channel") == CHANNEL_NAME] or variants or [{}]
    return str(phone[0].get("text") or "")


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
