"""The phone-call load of `make scale-test`: Twilio's URL rules and what counts as a failure."""

from __future__ import annotations

from benchmarks.scale.calls import RESTART, SCRIPTS, PhoneCalls, key_for, parse
from benchmarks.scale.check import CLIENT

GATHER = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="webhook?turn=3" '
    'input="speech dtmf" language="fr-FR"><Say language="fr-FR">« Horaires », tapez 4.</Say>'
    "</Gather></Response>"
)
DIAL = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Say language="fr-FR">Restez en ligne.'
    '</Say><Dial action="dial?turn=4">+33130481000</Dial></Response>'
)


def test_the_next_request_goes_to_the_action_of_the_gather_or_the_dial() -> None:
    base = "http://lb:8080/webhooks/ivr/dial?turn=2"
    answer = parse(GATHER, base)
    assert answer.next_url == "http://lb:8080/webhooks/ivr/webhook?turn=3"
    assert answer.text == "« Horaires », tapez 4." and not answer.hangup
    assert parse(DIAL, base).next_url == "http://lb:8080/webhooks/ivr/dial?turn=4"
    assert key_for(answer.text, "Horaires") == "4" and key_for(answer.text, "Autre") == ""


def test_only_turns_that_reach_the_dialogue_are_expected_in_the_tracker() -> None:
    calls = PhoneCalls("http://lb", "token", 3, 0.1, "run1", 0.0, 1.0)
    for call in calls.conversations:
        for turn in call.turns:
            turn.attempts = 1
    expected = calls.expected()
    transfer = calls.conversations[1].sender
    assert len(SCRIPTS[1]) == 6 and "ivr-3" not in expected[transfer]  # the Dial's end
    assert expected[transfer] == ["ivr-0", "ivr-1", "ivr-2", "ivr-4", "ivr-5"]


def test_a_restart_or_an_answer_from_elsewhere_is_a_violation() -> None:
    calls = PhoneCalls("http://lb", "token", 1, 0.1, "run2", 0.0, 1.0)
    sender = calls.conversations[0].sender
    calls.spoken[(sender, 0)] = "Bonjour, ici l'assistant."
    calls.spoken[(sender, 1)] = "Bonjour, ici l'assistant."  # the call started again
    calls.spoken[(sender, 2)] = "Avez-vous une autre demande ?"  # not the step's answer
    kinds = [v.kind for v in calls.violations()]
    assert kinds == [RESTART, CLIENT]
