"""Passwords never reach the tracker store; masks of dossier numbers, e-mails and IBANs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.graph_components.converters.nlu_message_converter import NLUMessageConverter
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import TEXT

from carpimko.nlu.privacy import (
    REDACTED_FLAG,
    PasswordRedactor,
    RedactingInMemoryTrackerStore,
    RedactingSQLTrackerStore,
    redact_tracker,
)
from carpimko.text.privacy import (
    PASSWORD_PLACEHOLDER,
    SEALED_PREFIX,
    mask_dossier,
    mask_email,
    mask_iban,
    redact_passwords,
)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("mon mot de passe est Carpimko2024", "Carpimko2024"),
        ("Provisoire24 ne marche pas", "Provisoire24"),
        ("mon mot de passe c'est soleil7", "soleil7"),
        ("mdp : jaguar", "jaguar"),
        ("j'ai tapé Abc!defgh et ça bloque", "Abc!defgh"),
        ("soleil2024 est refusé", "soleil2024"),
    ],
)
def test_passwords_are_redacted(text: str, secret: str) -> None:
    redacted, found = redact_passwords(text)
    assert found
    assert secret not in redacted
    assert PASSWORD_PLACEHOLDER in redacted


@pytest.mark.parametrize(
    "text",
    [
        "j'ai oublié mon mot de passe",
        "mon mot de passe est bloqué",
        "mon mot de passe est incorrect depuis hier",
        "mon numéro de dossier est 1234567",
        "123 456 789",
        "mon IBAN FR76 3000 6000 0112 3456 7890 189",
        "fr7630006000011234567890189",
        "mon mail est Jeanne.Dupont2@example.fr",
        "né le 12/03/1961",
        "Bonjour, je voudrais mon attestation 2024",
        '/inform{"postal_code":"69003"}',  # a keypad answer on the phone, not a secret
        '/inform{"attestation_period": "2025-01"}',
        "Marie-Claire",  # a child's first name in the majoration form
        "elle s'appelle Anne-Sophie",
        "42 avenue de Saint-Étienne",
    ],
)
def test_ordinary_messages_are_untouched(text: str) -> None:
    assert redact_passwords(text) == (text, False)


def test_masks() -> None:
    assert mask_dossier("1234567") == "*****67"
    assert mask_dossier("123456789") == "*******89"
    assert mask_email("jeanne.dupont@example.fr") == "j****nt@e*****.fr"
    assert "dupont" not in mask_email("jeanne.dupont@example.fr")
    assert mask_iban("FR76 3000 6000 0112 3456 7890 189") == "FR76 **** **** 0189"
    assert mask_iban("FR76") == "****"


def parse_like_rasa(text: str) -> dict:
    """What the processor gets from the graph: converter, then our first component."""
    [message] = NLUMessageConverter.convert_user_message(
        NLUMessageConverter.__new__(NLUMessageConverter), [UserMessage(text)]
    )
    [message] = PasswordRedactor().process([message])
    parse_data = {TEXT: "", "intent": {"name": "login_problem", "confidence": 0.9}, "entities": []}
    parse_data.update(message.as_dict(only_output_properties=True))
    return parse_data


def processed_tracker(text: str) -> DialogueStateTracker:
    """The tracker exactly as MessageProcessor._handle_message_with_tracker builds it."""
    parse_data = parse_like_rasa(text)
    tracker = DialogueStateTracker("conv-privacy", [])
    tracker.update(UserUttered(text, parse_data["intent"], parse_data["entities"], parse_data))
    return tracker


def test_component_redacts_the_parse_data_and_sets_the_flag() -> None:
    parse_data = parse_like_rasa("mon mot de passe est Carpimko2024")
    assert parse_data[TEXT] == f"mon mot de passe est {PASSWORD_PLACEHOLDER}"
    assert parse_data[REDACTED_FLAG] is True
    assert REDACTED_FLAG not in parse_like_rasa("bonjour")


def test_rasa_keeps_the_raw_text_in_the_event_without_the_store() -> None:
    # Why the store is needed: Rasa builds UserUttered from the incoming message text.
    tracker = processed_tracker("mon mot de passe est Carpimko2024")
    assert tracker.latest_message.text == "mon mot de passe est Carpimko2024"
    assert redact_tracker(tracker) == 1
    assert "Carpimko2024" not in json.dumps(tracker.current_state(), ensure_ascii=False)


async def test_in_memory_store_never_keeps_the_password() -> None:
    store = RedactingInMemoryTrackerStore(Domain.empty())
    await store.save(processed_tracker("mon mot de passe est Carpimko2024, aidez-moi"))
    stored = await store.retrieve("conv-privacy")
    assert stored is not None
    dump = json.dumps([e.as_dict() for e in stored.events], ensure_ascii=False)
    assert "Carpimko2024" not in dump
    assert stored.latest_message.text == f"mon mot de passe est {PASSWORD_PLACEHOLDER}, aidez-moi"


async def test_sql_store_never_writes_the_password(tmp_path) -> None:
    db = tmp_path / "tracker.db"
    store = RedactingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    await store.save(processed_tracker("Provisoire24 est refusé"))
    # WAL mode: recent writes sit in tracker.db-wal until a checkpoint; read every file.
    assert all(b"Provisoire24" not in f.read_bytes() for f in tmp_path.glob("tracker.db*"))
    stored = await store.retrieve("conv-privacy")
    assert stored is not None
    assert stored.latest_message.text == f"{PASSWORD_PLACEHOLDER} est refusé"


def test_a_bad_value_fails_its_request_not_the_server(tmp_path: Path) -> None:
    """PostgreSQL's driver raises ValueError for a NUL character; Rasa's own store turns any
    ValueError in its session into sys.exit (stopping the assistant for everyone)."""
    store = RedactingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    with pytest.raises(ValueError), store.session_scope():
        raise ValueError("A string literal cannot contain NUL (0x00) characters.")


def test_stored_slots_hold_no_personal_data_in_clear() -> None:
    from rasa.shared.core.events import SlotSet

    sealed = SEALED_PREFIX + "gAAAAABnQ2x5c2VhbGVkLXZhbHVlLTEyMzQ1Njc4OTA="
    tracker = DialogueStateTracker.from_events(
        "slots",
        [
            SlotSet("dossier_number", "0671234589"),  # a phone number read as a dossier number
            SlotSet("callback_phone", "+33671234589"),  # as Rasa extracts it, before sealing
            SlotSet("callback_phone", sealed),  # what the action keeps for the portal
            SlotSet("new_email", "marie@exemple.fr"),
            UserUttered("Carpimko@2024"),  # a password typed as a form's answer
            SlotSet("address_line", "Carpimko@2024"),
            SlotSet("document_upload", "a3f9c2b1d4e5f6a7b8c9"),  # the bot's upload id
            SlotSet("reset_id", "4f9c2a1b7d3e4c5fa6b7c8d9e0f1a2b3"),  # an id, not a password
            # The portal's opaque ids are random hex: one in eighteen starts like an IBAN
            # (two letters, two digits). Masked, the reset could never be delivered.
            SlotSet("reset_id", "ba2637d1c0e94f5a8b6c7d8e9f0a4718"),
        ],
    )
    redact_tracker(tracker)
    values = [(e.key, e.value) for e in tracker.events if isinstance(e, SlotSet)]
    assert values == [
        ("dossier_number", "06******89"),  # the phone mask keeps 2 + 2 digits
        ("callback_phone", "+33*******89"),
        ("callback_phone", sealed),
        ("new_email", "m****ie@e*****.fr"),
        ("address_line", PASSWORD_PLACEHOLDER),
        ("document_upload", "a3f9c2b1d4e5f6a7b8c9"),
        ("reset_id", "4f9c2a1b7d3e4c5fa6b7c8d9e0f1a2b3"),
        ("reset_id", "ba2637d1c0e94f5a8b6c7d8e9f0a4718"),
    ]
