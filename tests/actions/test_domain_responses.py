"""Every response an action sends exists in domain.yml, with the variables the action fills."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from actions.forms.reset import FORM_PROMPTS as RESET_PROMPTS
from actions.handoff import FORM_PROMPTS as CALLBACK_PROMPTS
from carpimko import facts

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
RESPONSES = DOMAIN["responses"]
NAMED = sorted(
    {
        name
        for path in (ROOT / "actions").rglob("*.py")
        for name in re.findall(r"""["'](utter_[a-z0-9_]+)["']""", path.read_text("utf-8"))
        if not name.endswith("_")  # a prefix (utter_label_<intent>), not a response
    }
)


@pytest.mark.parametrize("name", NAMED + list(RESET_PROMPTS) + list(CALLBACK_PROMPTS))
def test_response_exists(name: str) -> None:
    assert name in RESPONSES


@pytest.mark.parametrize(
    ("name", "variables"),
    [
        ("utter_contact_details", {"phone", "hours", "open_state", "address"}),
        ("utter_reset_email_sent", {"masked_email"}),
        ("utter_reset_letter_sent", set()),
        ("utter_handoff_created", {"reference"}),
        ("utter_handoff_closed_offer", {"hours", "next_opening"}),
        ("utter_callback_created", {"reference", "masked_phone"}),
        ("utter_identity_confirmed", {"connected", "name"}),
        ("utter_ask_delivery_channel", {"reset_masked_email"}),
        ("utter_adult_child_summary", {"first_name", "situation", "birth_date"}),
        ("utter_adult_child_sent", {"reference", "service"}),
        ("utter_adult_child_next", {"documents"}),
        ("utter_resume_summary", {"resume_label", "resume_date"}),
        ("utter_resume_sent", {"reference", "resume_label", "resume_date", "service"}),
        ("utter_sick_leave_summary", {"end_date", "file_name", "file_size"}),
        ("utter_sick_leave_sent", {"reference", "service"}),
        ("utter_document_summary", {"service", "subject", "file_name", "file_size"}),
        ("utter_document_sent", {"reference", "service"}),
    ],
)
def test_response_variables(name: str, variables: set[str]) -> None:
    for variant in RESPONSES[name]:
        found = set(re.findall(r"(?<!\{)\{([a-z_]+)\}(?!\})", variant["text"]))
        found -= set(facts.slot_values())  # the fund's facts: filled by Rasa from the domain
        if variant.get("channel") == "ivr":
            # The phone wording may leave out what cannot be read aloud (masked values).
            assert found <= variables
        else:
            assert found == variables


def test_no_response_echoes_a_raw_identifier() -> None:
    # One exception: on the phone, the numéro de dossier is read back digit by digit before
    # the postal code check (issue 7), and only there.
    readback = [v for v in RESPONSES["utter_ask_postal_code"] if "{dossier_number}" in v["text"]]
    assert [v.get("channel") for v in readback] == ["ivr"]
    others = {k: v for k, v in RESPONSES.items() if k != "utter_ask_postal_code"}
    text = yaml.safe_dump(others, allow_unicode=True)
    for slot in ("{dossier_number}", "{email}", "{iban}", "{callback_phone}"):
        assert slot not in text


def test_forms_and_actions_are_declared() -> None:
    assert DOMAIN["forms"]["reset_form"]["required_slots"] == [
        "profile",
        "dossier_number",
        "postal_code",
        "reset_replace",
        "delivery_channel",
    ]
    for action in (
        "validate_reset_form",
        "action_reset_deliver",
        "action_contact",
        "action_human_handoff",
        "validate_callback_form",
        "action_create_callback",
        "action_callback_declined",
        "action_cancel_procedure",
    ):
        assert action in DOMAIN["actions"]


BUTTONS = [
    (name, button["payload"])
    for name, variants in RESPONSES.items()
    for variant in variants
    for button in variant.get("buttons", [])
]


@pytest.mark.parametrize(("name", "payload"), BUTTONS)
def test_button_payload_survives_interpolation(name: str, payload: str) -> None:
    """Rasa fills slots into buttons too: an unescaped JSON payload logs an error every turn.

    The braces of `/inform{"slot": "value"}` must be doubled in domain.yml; Rasa then sends
    the payload with single braces, and nothing is logged.
    """
    from rasa.core.nlg.interpolator import interpolate_text
    from structlog.testing import capture_logs

    with capture_logs() as logs:
        sent = interpolate_text(payload, {})
    assert logs == [], f"{name}: {payload}"
    if not payload.startswith("/"):  # a button that sends its text, as if typed
        assert sent == payload
        return
    match = re.fullmatch(r"/([a-z_]+)(\{.*\})?", sent)
    assert match, f"{name}: {sent}"
    if match[2]:
        assert isinstance(json.loads(match[2]), dict), f"{name}: {sent}"
