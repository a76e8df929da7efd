"""French wording that depends on the person: agreement from the portal's civility."""

from __future__ import annotations

import pytest

from actions.identity import connected_word
from actions.portal_client import Member


@pytest.mark.parametrize(("civility", "word"), [("Mme", "connectée"), ("M.", "connecté")])
def test_connected_agrees_with_the_civility(civility: str, word: str) -> None:
    member = Member(
        dossier_number="1234567",
        profile="affilie",
        civility=civility,
        first_name="Camille",
        last_name="Durand",
        email_masked=None,
        iban_masked=None,
    )
    assert connected_word(member) == word


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("laissez tomber, je vais passer par France Connect", ["utter_procedure_cancelled",
                                                              "utter_franceconnect"]),
        ("laissez tomber", ["utter_procedure_cancelled"]),
    ],
)  # fmt: skip
async def test_a_stop_naming_franceconnect_gets_its_steps(text: str, said: list[str]) -> None:
    from actions_testkit import responses, run, tracker

    from actions.procedure import ActionCancelProcedure

    _, dispatcher = await run(ActionCancelProcedure(), tracker({}, text=text, intent="stop"))
    assert responses(dispatcher) == said
