"""The phone channel's own rate limit: a flood from one call is refused, other calls go on.

Signed Twilio requests (as in production) through the channel's routes, with a scripted
stand-in for Rasa; the limiter is the chat channels' one, per call (CallSid) and per caller
(the From that Twilio signs: behind Twilio every call has Twilio's transport address).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import yaml
from sanic import Sanic
from twilio.request_validator import RequestValidator

from carpimko.channels.ivr import IVRInput
from carpimko.channels.limits import TurnLimiter
from carpimko.ops.rates import RateLimit
from tests.ivr.test_ivr_channel import FakeRasa, Script, default_script
from tests.ivr.twiml_rules import Answer, check_twiml

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text("utf-8"))
TOKEN = "rate-limit-auth-token"
PUBLIC = "https://ivr.example.fr"
HOURS = "du lundi au vendredi, de 8 heures 45 à 12 heures 45"


class Line:
    """The channel behind its routes, every Twilio request signed with the account's token."""

    def __init__(
        self, per_call: RateLimit, per_client: RateLimit, script: Script = default_script
    ) -> None:
        ivr = IVRInput(
            auth_token=TOKEN, public_url=PUBLIC, limiter=TurnLimiter(per_call, per_client)
        )
        ivr.load_phrases(DOMAIN["responses"])
        self.rasa = FakeRasa(script)
        self.app = Sanic(f"ivr_limit_{uuid.uuid4().hex[:8]}")
        self.app.blueprint(ivr.blueprint(self.rasa), url_prefix="/webhooks/ivr")

    async def post(self, call_id: str, **fields: str) -> Answer:
        form = {"CallSid": call_id, "From": "+33612345678", **fields}
        path = "/webhooks/ivr/webhook"
        signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, form)
        headers = {
            "content-type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
        }
        _, response = await self.app.asgi_client.post(path, data=urlencode(form), headers=headers)
        assert response.status == 200, response.text
        return check_twiml(response.text)


async def test_a_flood_from_one_call_is_refused_and_another_call_still_works() -> None:
    def script(text: str) -> list[dict[str, Any]]:
        return (
            default_script(text)
            if text == "/greet"
            else [{"text": "Quelle est votre date de naissance ?"}]
        )

    line = Line(RateLimit(4, 60), RateLimit(100, 60), script)
    flood = f"CA{uuid.uuid4().hex}"
    answers = [await line.post(flood, SpeechResult="demain", Confidence="0.9") for _ in range(6)]
    assert all(not a.hangup for a in answers[:4])
    refused = answers[4]
    assert refused.hangup and refused.gather is None
    assert "patienter 1 minute" in refused.text and HOURS in refused.text
    assert len(line.rasa.received) == 4  # the refused turns never reach the dialogue
    other = await line.post(f"CA{uuid.uuid4().hex}")
    assert not other.hangup and other.says[0] == "Bonjour, je suis l'assistant."
    assert len(line.rasa.received) == 5


async def test_one_calling_number_bounds_every_call_it_makes_other_callers_go_on() -> None:
    """Every call reaches the channel from Twilio's addresses: the budget is the caller's (the
    signed From), or the whole line would share one."""
    line = Line(per_call=RateLimit(100, 60), per_client=RateLimit(3, 60))
    for _ in range(3):  # three new calls from the same number
        assert not (await line.post(f"CA{uuid.uuid4().hex}")).hangup
    fourth = await line.post(f"CA{uuid.uuid4().hex}")
    assert fourth.hangup and HOURS in fourth.text
    other_caller = await line.post(f"CA{uuid.uuid4().hex}", From="+33700000000")
    assert not other_caller.hangup
    assert len(line.rasa.received) == 4


async def test_a_forged_caller_field_does_not_reset_the_count() -> None:
    """The per-call key is Twilio's CallSid; changing From or other fields changes nothing."""
    line = Line(per_call=RateLimit(2, 60), per_client=RateLimit(100, 60))
    call = f"CA{uuid.uuid4().hex}"
    for number in ("+33611111111", "+33622222222"):
        assert not (await line.post(call, From=number, Digits="1")).hangup
    refused = await line.post(call, From="+33633333333", Digits="2")
    assert refused.hangup
