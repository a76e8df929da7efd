"""The benchmark's own logic: its figures are computed right and its conversations make sense
for this assistant (every button payload names a real intent and entity, logged-in members are
demo fixtures). No timing here: the figures themselves live in docs/benchmarks.md."""

from __future__ import annotations

import json
import math
import random
import re
from pathlib import Path

import pytest
import yaml

from benchmarks.conversations import (
    ANONYMOUS,
    CALLS,
    CHANNEL_WEIGHTS,
    LOGGED_IN,
    Call,
    TextConversation,
    parse_channels,
    pick,
)
from benchmarks.stats import (
    Sample,
    level_table,
    memory_growth,
    percentile,
    read_samples,
    replace_block,
    summarise,
)
from carpimko.channels.guard import max_message_chars

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))
PAYLOAD = re.compile(r"^/(\w+)(\{.*\})?$")
FIXTURES = {"1234567", "2345678", "7654321", "123456789"}


def _names(items: list[str | dict]) -> set[str]:
    return {item if isinstance(item, str) else next(iter(item)) for item in items}


# --- statistics ----------------------------------------------------------------------------
def test_percentile_is_nearest_rank() -> None:
    values = list(range(1, 101))  # 1..100
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile([7.0], 99) == 7.0
    assert percentile(list(reversed(values)), 95) == 95  # order of arrival does not matter
    assert math.isnan(percentile([], 50))


def test_one_slow_message_in_twenty_shows_in_p99_not_p50() -> None:
    values = [100.0] * 19 + [2000.0]
    assert percentile(values, 50) == 100
    assert percentile(values, 95) == 100
    assert percentile(values, 99) == 2000


def test_summary_keeps_the_steady_window_and_only_messages() -> None:
    samples = [
        Sample("rest", "a", 0.5, 900, True),  # ramp-up: left out
        Sample("rest", "a", 1.0, 100, True),
        Sample("socketio", "b", 2.0, 200, False),
        Sample("ivr", "c", 3.0, 300, True),
        Sample("portal", "login", 3.5, 50, True),  # a login is not a message
        Sample("socketio-connect", "connect", 3.6, 30000, False),  # the chat never opened
        Sample("socketio-connect", "connect", 3.7, 40, True),
        Sample("rest", "a", 5.0, 400, True),  # after the end: left out
    ]
    summary = summarise(samples, start=1.0, end=5.0)
    assert summary.messages == 3
    assert summary.errors == 2  # one failed message, one person whose chat never connected
    assert summary.error_rate == pytest.approx(2 / 3)
    assert summary.rate == pytest.approx(3 / 4)
    assert (summary.p50, summary.p99) == (200, 300)
    assert summary.by_kind == {"rest": (1, 100), "socketio": (1, 200), "ivr": (1, 300)}


def test_samples_round_trip_through_the_locust_file(tmp_path: Path) -> None:
    path = tmp_path / "samples.jsonl"
    path.write_text(
        json.dumps({"kind": "rest", "name": "x #1", "started": 1.5, "ms": 12.5, "ok": True})
        + "\n\n"
    )
    assert read_samples(path) == [Sample("rest", "x #1", 1.5, 12.5, True)]
    assert read_samples(tmp_path / "missing.jsonl") == []


def test_memory_growth_starts_after_the_warm_up() -> None:
    mib = 2**20
    series = [(0.0, 100 * mib), (60.0, 400 * mib), (120.0, 400 * mib), (1800.0, 420 * mib)]
    assert memory_growth(series, warmup=60) == pytest.approx(0.05)
    assert memory_growth(series, warmup=0) == pytest.approx(3.2)


def test_table_shows_each_level_and_process() -> None:
    summary = summarise([Sample("rest", "a", 1.0, 120, True)], 0, 10)
    table = level_table([(50, summary, {"rasa": 700 * 2**20})], ("rasa", "portal"))
    header, _, row = table.splitlines()
    assert "rasa peak MiB" in header and "portal peak MiB" in header
    assert row.startswith("| 50 | 1 | 0.1 | 120 | 120 | 120 | 0 (0.0%) |")
    assert row.endswith("| 700 | 0 |")


def test_report_block_replaces_only_its_own_text() -> None:
    document = "# Benchmarks\n\nHand-written.\n"
    once = replace_block(document, "make bench", "first figures")
    assert once.startswith(document.rstrip()) and "first figures" in once
    twice = replace_block(once + "\nAfter.\n", "make bench", "second figures")
    assert "first figures" not in twice and "second figures" in twice
    assert "Hand-written." in twice and twice.rstrip().endswith("After.")


# --- conversations ---------------------------------------------------------------------------
@pytest.mark.parametrize("conversation", [*ANONYMOUS, *LOGGED_IN], ids=lambda c: c.name)
def test_chat_messages_are_valid_for_the_domain(conversation: TextConversation) -> None:
    intents, entities = _names(DOMAIN["intents"]), set(DOMAIN["entities"])
    for message in conversation.messages:
        assert message.strip() and len(message) <= max_message_chars()
        payload = PAYLOAD.match(message) if message.startswith("/") else None
        if message.startswith("/"):
            assert payload, message
            assert payload[1] in intents, message
            assert set(json.loads(payload[2] or "{}")) <= entities, message


def test_logged_in_members_are_demo_fixtures_and_anonymous_ones_are_not_logged_in() -> None:
    assert LOGGED_IN and all(c.dossier in FIXTURES for c in LOGGED_IN)
    assert all(c.dossier is None for c in ANONYMOUS)


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.name)
def test_calls_use_twilio_fields(call: Call) -> None:
    assert call.turns[0] == {}, "a call starts with the ring (no input)"
    for fields in call.turns[1:]:
        assert set(fields) <= {"Digits", "SpeechResult", "Confidence"}
        assert re.fullmatch(r"[0-9*#]*", fields.get("Digits", ""))


def test_draws_follow_the_channel_weights() -> None:
    rng = random.Random(3)
    drawn = [pick(rng) for _ in range(3000)]
    share = {c: sum(ch == c for ch, _ in drawn) / len(drawn) for c in CHANNEL_WEIGHTS}
    total = sum(CHANNEL_WEIGHTS.values())
    for channel, weight in CHANNEL_WEIGHTS.items():
        assert share[channel] == pytest.approx(weight / total, abs=0.04)
    assert all(isinstance(c, Call) == (ch == "ivr") for ch, c in drawn)
    chats = [c for _, c in drawn if isinstance(c, TextConversation)]
    assert sum(c.dossier is not None for c in chats) / len(chats) == pytest.approx(0.3, abs=0.04)
    assert {ch for ch, _ in (pick(rng, {"rest": 1}) for _ in range(50))} == {"rest"}


def test_channel_specs() -> None:
    assert parse_channels("rest") == {"rest": 5}
    assert parse_channels("rest:1, ivr:4") == {"rest": 1, "ivr": 4}
    for bad in ("", "sms", "rest:0"):
        with pytest.raises(ValueError):
            parse_channels(bad)
