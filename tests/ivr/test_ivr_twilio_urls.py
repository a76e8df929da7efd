"""Calls replayed with Twilio's URL rules against the channel (scripted Rasa, real HTTP app).

Twilio posts a ``<Gather>``'s result to its ``action``, or to the URL of the current document
when there is none; after a ``<Dial>`` the next document comes from the Dial's ``action``. The
bug this guards against: once a document was served from ``webhook?event=dial``, every later
answer was taken as the end of a transfer. Also: silences, a hang-up mid-call, a request sent
twice, and two channel instances sharing the call state in a real Redis.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import redis
from sanic import Sanic

from benchmarks.devstack import free_port
from carpimko.channels.ivr import IVRInput
from carpimko.channels.ivr_state import CallStore, MemoryCallStore, RedisCallStore, store_for
from tests.ivr.test_ivr_channel import FakeRasa, app_with, channel, default_script
from tests.ivr.twilio_replay import AUTH_TOKEN, Post, TwilioCall

PUBLIC = "https://ivr.example.fr"
VOICE_URL = f"{PUBLIC}/webhooks/ivr/webhook"
STATUS_URL = f"{PUBLIC}/webhooks/ivr/status"


def signed_channel(store: CallStore) -> IVRInput:
    return channel(auth_token=AUTH_TOKEN, public_url=PUBLIC, store=store)


def through(*apps: Sanic, down: set[int] | None = None) -> Post:
    """Requests spread over the apps in turn (a load balancer), skipping those marked down."""
    count = 0

    async def post(url: str, form: dict[str, str], headers: dict[str, str]) -> tuple[int, str]:
        nonlocal count
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        while True:
            index = count % len(apps)
            count += 1
            if index not in (down or set()):
                break
        headers = {**headers, "content-type": "application/x-www-form-urlencoded"}
        _, response = await apps[index].asgi_client.post(
            target, data=urlencode(form), headers=headers
        )
        return response.status, response.text

    return post


def one_instance() -> tuple[TwilioCall, FakeRasa, CallStore]:
    store, rasa = MemoryCallStore(), FakeRasa(default_script)
    app = app_with(signed_channel(store), rasa)
    return TwilioCall(through(app), VOICE_URL), rasa, store


async def test_a_failed_transfer_does_not_capture_the_following_answers() -> None:
    call, rasa, _ = one_instance()
    await call.start()
    answer = await call.say("conseiller")
    assert answer.dial == "+33130481000"
    assert answer.dial_attributes["action"].startswith("dial?")
    answer = await call.dial_ends("no-answer")
    assert answer.says[0].startswith("Aucun conseiller n'a pu répondre")
    assert call.document_url.startswith(f"{PUBLIC}/webhooks/ivr/dial")
    # The next answer is posted where the Gather says, not to the dial URL it was served from.
    answer = await call.say("conseiller")
    assert urlsplit(call.requests[-1].url).path == "/webhooks/ivr/webhook"
    assert answer.dial == "+33130481000", "the caller's request is processed, not a dial end"
    assert rasa.received == ["/greet", "conseiller", "conseiller"]
    answer = await call.dial_ends("completed")
    assert answer.hangup and call.ended


async def test_every_gather_and_dial_names_an_action_without_a_previous_event() -> None:
    call, _, _ = one_instance()
    await call.start()
    await call.press("1")
    await call.press("1234567#")
    await call.say("conseiller")
    await call.dial_ends("busy")
    await call.silence()
    for answer in call.answers:
        action = (answer.gather or answer.dial_attributes or {}).get("action", "")
        assert action, f"no action in {answer}"
        assert "event" not in action
    assert [urlsplit(r.url).query for r in call.requests] == [
        "", "turn=1", "turn=2", "turn=3", "turn=4", "turn=5",
    ]  # fmt: skip


async def test_a_transfer_end_posted_outside_a_transfer_is_an_ordinary_turn() -> None:
    call, rasa, _ = one_instance()
    await call.start()
    # A stale dial URL (a document of an older deployment): no transfer is in progress.
    answer = await call._fetch(f"{PUBLIC}/webhooks/ivr/dial?turn=1", {"Digits": "1"})
    assert not answer.says[0].startswith("Aucun conseiller")
    assert rasa.received[-1] == '/inform{"profile":"affilie"}'


async def test_silences_follow_the_gather_action_then_the_call_ends() -> None:
    call, rasa, _ = one_instance()
    await call.start()
    for _ in range(2):
        answer = await call.silence()
        assert answer.says[0] == "Je ne vous ai pas entendu."
    answer = await call.silence()
    assert answer.hangup and call.ended
    assert rasa.received == ["/greet"]


async def test_a_hang_up_mid_call_forgets_the_call() -> None:
    call, rasa, store = one_instance()
    await call.start()
    await call.press("1")
    assert store.load(call.sid) is not None
    assert await call.hang_up(STATUS_URL) == 204
    assert store.load(call.sid) is None
    again = TwilioCall(call.post, VOICE_URL, caller=call.caller)  # the caller calls back
    answer = await again.start()
    assert answer.says[0] == "Bonjour, je suis l'assistant."
    assert rasa.received == ["/greet", '/inform{"profile":"affilie"}', "/greet"]


async def test_a_request_sent_twice_is_processed_once() -> None:
    call, rasa, _ = one_instance()
    await call.start()
    answer = await call.press("1")
    request = call.requests[-1]
    call.answers.pop()
    call.document_url = call.requests[-2].url
    again = await call.press("1")  # nginx passing the same request to another instance
    assert again == answer
    assert call.requests[-1].url == request.url
    assert rasa.received == ["/greet", '/inform{"profile":"affilie"}']
    answer = await call.press("1234567#")
    assert rasa.received[-1] == '/inform{"dossier_number":"1234567"}'


async def test_the_first_request_sent_twice_is_answered_once() -> None:
    call, rasa, _ = one_instance()
    first = await call.start()
    call.ended = False
    assert await call.start() == first
    assert rasa.received == ["/greet"]


async def test_a_client_that_ignores_the_actions_still_goes_on() -> None:
    """Posts to the plain webhook URL, no ``?turn=``: every request is a new turn."""
    store, rasa = MemoryCallStore(), FakeRasa(default_script)
    post = through(app_with(signed_channel(store), rasa))
    call = TwilioCall(post, VOICE_URL)
    await call._fetch(VOICE_URL, {})
    await call._fetch(VOICE_URL, {"Digits": "1"})
    await call._fetch(VOICE_URL, {"Digits": "1234567#"})
    assert rasa.received == [
        "/greet",
        '/inform{"profile":"affilie"}',
        '/inform{"dossier_number":"1234567"}',
    ]


async def test_unsigned_or_badly_signed_requests_are_refused() -> None:
    call, rasa, _ = one_instance()
    call.token = "not-the-account-token"
    with pytest.raises(AssertionError, match="403"):
        await call.start()
    assert rasa.received == []


# --- two instances, one Redis --------------------------------------------------------------
@pytest.fixture(scope="module")
def redis_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[redis.Redis]:
    """A private redis-server on a free port (the topology's Redis, docs/scaling.md)."""
    port = free_port()
    folder: Path = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
         "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 20
    while True:
        with contextlib.suppress(redis.ConnectionError):
            if client.ping():
                break
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            pytest.fail("redis-server did not start")
        time.sleep(0.05)
    yield client
    process.terminate()
    process.wait(timeout=10)


async def test_two_instances_take_turns_of_one_call_and_one_dies(redis_client: redis.Redis) -> None:
    rasa = FakeRasa(default_script)
    apps = [
        app_with(signed_channel(RedisCallStore(redis_client, "carpimko:")), rasa) for _ in range(2)
    ]
    down: set[int] = set()
    call = TwilioCall(through(*apps, down=down), VOICE_URL)
    await call.start()  # instance 0
    answer = await call.press("2")  # instance 1: it knows the menu instance 0 read out
    assert "numDigits" not in (answer.gather or {}) and answer.gather is not None
    assert rasa.received[-1] == '/inform{"profile":"ayant_droit"}'
    down.add(0)  # instance 0 is killed mid-call
    answer = await call.say("un deux trois quatre cinq six sept")
    assert rasa.received[-1] == '/inform{"dossier_number":"1234567"}'  # a number was expected
    answer = await call.press("*")
    assert rasa.received[-1] == "/deny"
    assert rasa.received.count("/greet") == 1, "the call never restarted"
    key = f"carpimko:ivr:call:{call.sid}"
    assert redis_client.ttl(key) > 0, "the state expires"


def test_the_call_store_follows_rasa_s_lock_store(redis_client: redis.Redis) -> None:
    from rasa.core.lock_store import InMemoryLockStore, RedisLockStore

    port = redis_client.connection_pool.connection_kwargs["port"]
    shared = store_for(RedisLockStore(host="127.0.0.1", port=port, db=0, key_prefix="carpimko"))
    assert isinstance(shared, RedisCallStore) and shared.prefix == "carpimko:ivr:call:"
    assert isinstance(store_for(InMemoryLockStore()), MemoryCallStore)
