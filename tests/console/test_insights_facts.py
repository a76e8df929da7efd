"""What the dashboard keeps of each conversation (console/insights/facts.py), how similar
not-understood messages are grouped, and what an NLU export may contain."""

from __future__ import annotations

from console_testkit import IBAN, now
from insights_kit import NOT_UNDERSTOOD, conversations

from console.conversations import parse_events
from console.insights.clusters import group_messages
from console.insights.facts import facts_of, pseudonym
from console.insights.nlu import fragment

KEY = "cle-de-test"


def facts(sender: str):  # type: ignore[no-untyped-def]
    events = parse_events(e.as_dict() for e in conversations(now())[sender])
    return facts_of(sender, events, KEY)


def test_each_conversation_gets_one_category() -> None:
    expected = {
        "rest-horaires": "resolved",
        "web-reset-fait": "resolved",  # the 24-hour rule is the report's (SQL)
        "web-reset-stop": "abandoned",
        "web-reset-parti": "abandoned",
        "rest-reset-repris": "abandoned",
        "rest-conseiller": "handed_off",
        "rest-incompris": "not_understood",
        "ivr-transfert": "handed_off",
        "ivr-raccroche": "abandoned",
    }
    assert {sender: facts(sender).category for sender in expected} == expected


def test_a_procedure_records_each_question_reached_in_order() -> None:
    assert facts("web-reset-fait").steps == {
        ("reset_form", "started"): 0,
        ("reset_form", "question:profile"): 1,
        ("reset_form", "question:dossier_number"): 2,
        ("reset_form", "question:delivery_channel"): 3,
        ("reset_form", "confirmed"): 1000,
        ("reset_form", "done"): 1001,
    }
    stopped = facts("web-reset-stop").steps
    assert ("reset_form", "question:dossier_number") in stopped
    assert ("reset_form", "confirmed") not in stopped  # « stop » is no confirmation


def test_not_understood_messages_are_kept_masked() -> None:
    found = facts("rest-incompris")
    texts = [text for text, _ in found.misunderstood]
    assert texts[0].startswith(NOT_UNDERSTOOD) and IBAN not in texts[0]
    assert "FR76" in texts[0] and "*" in texts[0]
    assert found.misunderstood[1] == ("blabla", "greet")  # answered by the core fallback


def test_phone_transfer_and_hang_up_mid_procedure() -> None:
    transferred, hung_up = facts("ivr-transfert"), facts("ivr-raccroche")
    assert transferred.transfer and not transferred.hangup_mid_procedure
    assert hung_up.hangup_mid_procedure and not hung_up.transfer
    assert not facts("web-reset-parti").hangup_mid_procedure  # only calls hang up


def test_the_member_is_a_keyed_pseudonym_and_the_subject_skips_small_talk() -> None:
    done, again = facts("web-reset-fait"), facts("rest-reset-repris")
    assert done.member_key == again.member_key == pseudonym("dossier:1234567", KEY)
    assert "1234567" not in str(done.member_key)
    assert pseudonym("dossier:1234567", "autre-cle") != done.member_key
    assert done.subject == "forgot_password"
    assert facts("ivr-transfert").subject == "human_handoff"  # not « greet »


def test_similar_messages_are_grouped_largest_first() -> None:
    texts = ["mot de pase perdu", "mot de passe perdu", "j'ai perdu mon mot de passe",
             "quel temps fait-il", "quel temps fera-t-il demain", "mot de passe perdu"]  # fmt: skip
    groups = group_messages([{"id": i, "text": t} for i, t in enumerate(texts)])
    assert [g.size for g in groups] == [4, 2]
    assert {m["text"] for m in groups[1].messages} == {texts[3], texts[4]}


def test_the_nlu_fragment_leaves_out_names_numbers_and_masked_data() -> None:
    result = fragment("forgot_password", [
        "je trouve plus mon mot de passe", "Jean Dupont a perdu son code",
        "mon dossier *****67", "code 1234", "écrivez à j***@e***.fr",
        "je  trouve plus mon mot de passe"])  # fmt: skip
    assert result.kept == 1 and result.left_out == 4  # the double space is a duplicate
    assert result.yaml == (
        "version: '3.1'\nnlu:\n- intent: forgot_password\n  examples: |\n"
        "    - je trouve plus mon mot de passe\n"
    )
