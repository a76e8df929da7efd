"""The portal session token of the logged-in page never reaches the tracker store."""

from __future__ import annotations

import json

from rasa.shared.core.constants import SESSION_START_METADATA_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from carpimko.nlu.privacy import RedactingSQLTrackerStore, strip_tokens

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI3NjU0MzIxIn0.c2lnbmF0dXJlLXNlY3JldA"


def logged_in_tracker() -> DialogueStateTracker:
    metadata = {"portal_token": TOKEN, "client_id": "navigateur-1"}
    domain = Domain.empty()
    tracker = DialogueStateTracker("conv-token", domain.slots)
    for event in [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        SlotSet(SESSION_START_METADATA_SLOT, dict(metadata)),
        ActionExecuted("action_listen"),
        UserUttered(
            "je voudrais une attestation",
            {"name": "download_attestation", "confidence": 0.98},
            [],
            {"text": "je voudrais une attestation", "metadata": dict(metadata)},
            metadata=dict(metadata),
        ),
    ]:
        tracker.update(event, domain)
    return tracker


def test_the_actions_see_the_token_during_the_turn() -> None:
    # Rasa keeps it in the event until the store runs: that is what the actions read.
    tracker = logged_in_tracker()
    assert tracker.latest_message.metadata["portal_token"] == TOKEN
    assert strip_tokens(tracker) >= 2
    dump = json.dumps(tracker.current_state(), ensure_ascii=False)
    assert TOKEN not in dump
    assert tracker.latest_message.metadata == {
        "client_id": "navigateur-1",
        "portal_token_sent": True,
    }
    assert strip_tokens(tracker) == 0  # idempotent


async def test_sql_store_never_writes_the_token(tmp_path) -> None:
    db = tmp_path / "tracker.db"
    store = RedactingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    await store.save(logged_in_tracker())
    assert TOKEN.encode() not in db.read_bytes()
    assert b"eyJhbGciOiJIUzI1NiJ9" not in db.read_bytes()
    stored = await store.retrieve("conv-token")
    assert stored is not None
    assert stored.latest_message.metadata.get("portal_token_sent") is True
    assert stored.latest_message.text == "je voudrais une attestation"
