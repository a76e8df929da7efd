"""The IVR channel's own logic, with a scripted stand-in for Rasa (no model needed).

Whole calls through a real Rasa server are in test_ivr_calls.py; here each rule of the channel
is checked alone: keypad mapping, expected numbers, silences, garbage speech, transfer, hang-up,
errors, the JSON turn API and the Twilio signature.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml
from rasa.core.channels.channel import UserMessage
from sanic import Sanic
from twilio.request_validator import RequestValidator

from carpimko.channels.ivr import PHRASES, CallerInput, IVRInput, Turn
from carpimko.channels.ivr_state import CallState
from tests.ivr.twiml_rules import Answer, check_twiml

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text("utf-8"))
PROFILE_BUTTONS = [
    {"title": "Affilié", "payload": '/inform{"profile":"affilie"}'},
    {"title": "Ayant droit", "payload": '/inform{"profile":"ayant_droit"}'},
]
Script = Callable[[str], list[dict[str, Any]]]


class FakeRasa:
    """Records what the channel sends and answers with a script (text → bot messages)."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.received: list[str] = []

    async def __call__(self, message: UserMessage) -> None:
        assert message.input_channel == "ivr"
        assert message.metadata["client_id"].startswith("ivr-")
        assert "+33" not in message.metadata["client_id"]
        self.received.append(message.text)
        for bot in self.script(message.text):
            await message.output_channel.send_response(message.sender_id, bot)


def default_script(text: str) -> list[dict[str, Any]]:
    if text == "/greet":
        return [
            {"text": "Bonjour, je suis l'assistant."},
            {"text": "Choisissez votre situation :", "buttons": PROFILE_BUTTONS},
        ]
    if text.startswith('/inform{"profile"'):
        return [
            {
                "text": "Quel est votre numéro de dossier ?",
                "custom": {"ivr": {"expect": "number", "entity": "dossier_number"}},
            }
        ]
    if text.startswith('/inform{"dossier_number"'):
        return [
            {
                "text": "J'ai noté le numéro de dossier 1234567. Quel est votre code postal ?",
                "custom": {
                    "ivr": {"expect": "number", "entity": "postal_code", "keys": {"*": "/deny"}}
                },
            }
        ]
    if text == "au revoir":
        return [{"text": "Au revoir.", "custom": {"ivr": {"hangup": True}}}]
    if text == "conseiller" or text == "/human_handoff":
        return [
            {
                "text": "Je vous mets en relation avec un conseiller.",
                "custom": {"ivr": {"transfer": "+33130481000"}},
            }
        ]
    if text == "plante":
        raise RuntimeError("action server down")
    return [
        {"text": "Je n'ai pas bien compris. Dites votre demande.", "utter_action": "utter_default"}
    ]


def channel(**settings: Any) -> IVRInput:
    ivr = IVRInput(**settings)
    for name in PHRASES:
        ivr.phrases[name] = DOMAIN["responses"][name][0]["text"]
    return ivr


class Call:
    """One phone call through the channel's turn logic, every answer validated as TwiML."""

    def __init__(self, script: Script = default_script) -> None:
        self.ivr = channel()
        self.rasa = FakeRasa(script)
        self.call_id = f"CA{uuid.uuid4().hex}"
        self.state: CallState | None = None

    async def send(self, **fields: Any) -> tuple[Turn, Answer]:
        caller = CallerInput(self.call_id, caller="+33612345678", **fields)
        self.state, turn = await self.ivr.turn(caller, self.state, self.rasa)
        return turn, check_twiml(self.ivr.twiml(turn, self.state.turn))


async def test_a_call_starts_with_the_greeting_and_a_keypad_menu() -> None:
    call = Call()
    turn, answer = await call.send()
    assert call.rasa.received == ["/greet"]
    assert answer.says[0] == "Bonjour, je suis l'assistant."
    assert "« Affilié », tapez 1." in answer.text
    assert answer.gather is not None
    assert answer.gather["numDigits"] == "1"
    assert answer.gather["input"] == "speech dtmf"
    assert answer.gather["actionOnEmptyResult"] == "true"
    assert "finishOnKey" not in answer.gather
    assert turn.keypad == {"1": "Affilié", "2": "Ayant droit"}


async def test_a_digit_answers_the_button_and_a_number_is_typed_with_hash() -> None:
    call = Call()
    await call.send()
    _, answer = await call.send(digits="2")
    assert call.rasa.received[-1] == '/inform{"profile":"ayant_droit"}'
    assert answer.gather is not None and answer.gather["finishOnKey"] == "#"
    assert "numDigits" not in answer.gather
    await call.send(digits="1234567#")
    assert call.rasa.received[-1] == '/inform{"dossier_number":"1234567"}'
    _, answer = await call.send(digits="*")  # « non » on the read-back: the mapped key
    assert call.rasa.received[-1] == "/deny"


@pytest.mark.parametrize("speech", ["deux", "le deux", "touche 2", "Ayant droit !"])
async def test_a_choice_can_be_said_as_its_number_or_its_title(speech: str) -> None:
    call = Call()
    await call.send()
    await call.send(text=speech, confidence=0.9)
    assert call.rasa.received[-1] == '/inform{"profile":"ayant_droit"}'


async def test_other_speech_goes_to_the_dialogue_as_said() -> None:
    call = Call()
    await call.send()
    await call.send(text="je suis ayant droit depuis deux ans", confidence=0.9)
    assert call.rasa.received[-1] == "je suis ayant droit depuis deux ans"


async def test_a_spoken_number_is_normalised() -> None:
    call = Call()
    await call.send()
    await call.send(digits="1")
    await call.send(text="un deux trois quatre cinq six sept", confidence=0.9)
    assert call.rasa.received[-1] == '/inform{"dossier_number":"1234567"}'
    await call.send(text="soixante-neuf zéro zéro trois", confidence=0.8)
    assert call.rasa.received[-1] == '/inform{"postal_code":"69003"}'


async def test_two_silences_are_reprompted_then_goodbye() -> None:
    call = Call()
    await call.send()
    for _ in range(2):
        _, answer = await call.send()
        assert answer.says[0] == "Je ne vous ai pas entendu."
        assert "« Ayant droit », tapez 2." in answer.text
        assert answer.gather is not None and not answer.hangup
    _, answer = await call.send()
    assert answer.hangup and answer.gather is None
    assert "Au revoir" in answer.text
    assert call.rasa.received == ["/greet"]  # silences never reach the dialogue


async def test_garbage_speech_is_reprompted_twice_then_an_advisor_is_offered() -> None:
    call = Call()
    await call.send()
    for _ in range(2):
        _, answer = await call.send(text="grmbl zzz", confidence=0.1)
        assert answer.says[0] == "Je n'ai pas bien compris."
    _, answer = await call.send(text="grmbl zzz", confidence=0.1)
    assert call.rasa.received == ["/greet", "/human_handoff"]
    assert answer.says[0].startswith("Je n'arrive pas à vous comprendre")
    assert answer.dial == "+33130481000"


async def test_speech_the_dialogue_does_not_understand_counts_too() -> None:
    call = Call()
    await call.send()
    await call.send(text="blabla", confidence=0.9)
    await call.send(text="blabla", confidence=0.9)
    _, answer = await call.send(text="blabla", confidence=0.9)
    assert call.rasa.received[-1] == "/human_handoff"
    assert answer.dial == "+33130481000"


async def test_an_unknown_key_is_not_understood_and_star_repeats() -> None:
    call = Call()
    await call.send()
    _, answer = await call.send(digits="7")
    assert answer.says[0] == "Je n'ai pas bien compris."
    _, answer = await call.send(digits="*")
    assert answer.says == [
        "Choisissez votre situation:",
        "« Affilié », tapez 1. « Ayant droit », tapez 2.",
    ]
    assert call.rasa.received == ["/greet"]


async def test_transfer_dials_and_the_end_of_the_transfer_hangs_up() -> None:
    call = Call()
    await call.send()
    _, answer = await call.send(text="conseiller", confidence=0.9)
    assert answer.dial == "+33130481000"
    assert answer.dial_attributes["action"] == "dial?turn=2"
    _, answer = await call.send(dial_status="completed")
    assert answer.hangup


async def test_a_failed_transfer_apologises_and_listens_again() -> None:
    call = Call()
    await call.send()
    await call.send(text="conseiller", confidence=0.9)
    _, answer = await call.send(dial_status="no-answer")
    assert answer.says[0].startswith("Aucun conseiller n'a pu répondre")
    assert answer.gather is not None


async def test_goodbye_hangs_up_and_an_error_never_reaches_the_caller() -> None:
    call = Call()
    await call.send()
    _, answer = await call.send(text="au revoir", confidence=0.9)
    assert answer.hangup and answer.says == ["Au revoir."]
    call = Call()
    await call.send()
    _, answer = await call.send(text="plante", confidence=0.9)
    assert answer.hangup
    assert "incident technique" in answer.text and "RuntimeError" not in answer.text


async def test_the_buttons_of_several_messages_make_one_menu() -> None:
    def script(text: str) -> list[dict[str, Any]]:
        return [
            {"text": "Cela ne se fait pas par téléphone.", "buttons": [
                {"title": "Parler à un conseiller", "payload": "/human_handoff"}]},
            {"text": "Pour vous connecter :", "buttons": [
                {"title": "Mot de passe oublié", "payload": "/forgot_password"},
                {"title": "Parler à un conseiller", "payload": "/human_handoff"}]},
        ]  # fmt: skip

    call = Call(script)
    turn, answer = await call.send()
    assert answer.says == [
        "Cela ne se fait pas par téléphone.",
        "Pour vous connecter:",
        "« Parler à un conseiller », tapez 1. « Mot de passe oublié », tapez 2.",
    ]
    assert turn.keypad == {"1": "Parler à un conseiller", "2": "Mot de passe oublié"}
    await call.send(digits="2")
    assert call.rasa.received[-1] == "/forgot_password"


async def test_a_turn_that_asks_a_question_gets_no_second_one() -> None:
    call = Call(lambda text: [{"text": "Quel est votre code postal ? Tapez-le, puis dièse."}])
    _, answer = await call.send()
    assert answer.says == ["Quel est votre code postal? Tapez-le, puis dièse."]


async def test_an_answer_without_question_asks_what_else() -> None:
    call = Call(lambda text: [{"text": "Nos horaires : de 8 h 45 à 12 h 45."}])
    _, answer = await call.send()
    assert answer.says == [
        "Nos horaires: de 8 heures 45 à 12 heures 45.",
        "Avez-vous une autre demande ?",
    ]


# --- HTTP: the Twilio form webhook, the JSON turn and the signature ----------------------------
def app_with(ivr: IVRInput, rasa: FakeRasa) -> Sanic:
    app = Sanic(f"ivr_test_{uuid.uuid4().hex[:8]}")
    app.blueprint(ivr.blueprint(rasa), url_prefix="/webhooks/ivr")
    return app


async def test_webhook_answers_twiml_and_turn_answers_json() -> None:
    ivr, rasa = channel(check_signature=False, turn_token="t0ken"), FakeRasa(default_script)
    app = app_with(ivr, rasa)
    form = {"CallSid": "CA1", "From": "+33612345678"}
    _, response = await app.asgi_client.post(
        "/webhooks/ivr/webhook",
        data=urlencode(form),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/xml")
    check_twiml(response.text)
    bearer = {"Authorization": "Bearer t0ken"}
    _, response = await app.asgi_client.post(
        "/webhooks/ivr/turn", json={"call_id": "call-2"}, headers=bearer
    )
    body = response.json
    assert body["say"][0] == "Bonjour, je suis l'assistant."
    assert body["gather"]["input"] == ["speech", "dtmf"] and body["gather"]["num_digits"] == 1
    assert body["keypad"] == {"1": "Affilié", "2": "Ayant droit"}
    assert body["transfer"] is None and body["hangup"] is False
    _, response = await app.asgi_client.post(
        "/webhooks/ivr/turn", json={"call_id": "call-2", "digits": "1"}, headers=bearer
    )
    assert response.json["gather"]["finish_on_key"] == "#"
    _, response = await app.asgi_client.post(
        "/webhooks/ivr/turn", json={"text": "bonjour"}, headers=bearer
    )
    assert response.status == 400


async def test_the_json_turn_api_requires_its_token() -> None:
    rasa = FakeRasa(default_script)
    for ivr in (channel(turn_token="t0ken"), channel()):  # no token configured: closed
        app = app_with(ivr, rasa)
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            _, response = await app.asgi_client.post(
                "/webhooks/ivr/turn", json={"call_id": "call-3"}, headers=headers
            )
            assert response.status == 401
    assert rasa.received == []


async def test_the_signature_check_is_on_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IVR_TWILIO_SIGNATURE", raising=False)
    ivr = IVRInput.from_credentials({})
    assert isinstance(ivr, IVRInput) and ivr.check_signature
    app = app_with(channel(), FakeRasa(default_script))  # no auth token: every webhook refused
    _, response = await app.asgi_client.post(
        "/webhooks/ivr/webhook",
        data=urlencode({"CallSid": "CA8"}),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 403
    off = IVRInput.from_credentials({"check_signature": "off"})
    assert isinstance(off, IVRInput) and not off.check_signature


async def test_twilio_signature_is_checked_when_a_token_is_configured() -> None:
    ivr = IVRInput(auth_token="secret-token", public_url="https://ivr.example.fr")
    for name in PHRASES:
        ivr.phrases[name] = DOMAIN["responses"][name][0]["text"]
    app = app_with(ivr, FakeRasa(default_script))
    form = {"CallSid": "CA9", "From": "+33612345678"}
    headers = {"content-type": "application/x-www-form-urlencoded"}
    _, response = await app.asgi_client.post(
        "/webhooks/ivr/webhook", data=urlencode(form), headers=headers
    )
    assert response.status == 403
    signature = RequestValidator("secret-token").compute_signature(
        "https://ivr.example.fr/webhooks/ivr/webhook", form
    )
    _, response = await app.asgi_client.post(
        "/webhooks/ivr/webhook",
        data=urlencode(form),
        headers={**headers, "X-Twilio-Signature": signature},
    )
    assert response.status == 200
    check_twiml(response.text)


@pytest.mark.parametrize("name", PHRASES)
def test_the_channel_sentences_exist_in_the_domain(name: str) -> None:
    assert DOMAIN["responses"][name][0]["text"]
