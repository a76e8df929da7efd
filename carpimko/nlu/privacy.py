"""``PasswordRedactor``: the first component of the NLU pipeline.

A user who pastes a password (« mon mot de passe est Carpimko2024 ») must not see it
classified, featurised, echoed, or kept in the parse data. This component replaces every
password-like span (see :func:`carpimko.text.privacy.find_passwords`) by « [mot de passe masqué] »
in the message text before any other component reads it, and sets the output property
``password_redacted: true`` so that the dialogue warns the user
(:mod:`carpimko.rasa_patches.password_warning`, installed with the other patches).

Rasa 3.6 (``MessageProcessor._handle_message_with_tracker``) builds the ``UserUttered``
event with ``message.text`` of the *incoming* ``UserMessage`` and the parse data from the
graph; the graph only sees a copy of the message. So this component cleans ``parse_data``
(text, entities, what the classifiers read) but ``UserUttered.text`` still holds the raw
message in memory. The tracker stores below copy the redacted text over it before anything
is written or streamed to an event broker; ``endpoints.yml`` selects one of them:

    tracker_store:
      type: carpimko.nlu.privacy.RedactingSQLTrackerStore   # or RedactingInMemoryTrackerStore
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore, ensure_schema_exists
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import SESSION_START_METADATA_SLOT
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.cli import print_error_and_exit
from sqlalchemy.orm import Session

from carpimko.text.privacy import REDACTED_FLAG, SEALED_PREFIX, mask_personal_data, redact_passwords


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class PasswordRedactor(GraphComponent):
    """Replaces password-like text before any other NLU component sees it."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PasswordRedactor:
        return cls()

    @staticmethod
    def redact(message: Message) -> bool:
        """Redact one message in place; return whether a password was found."""
        text = message.get(TEXT)
        if not isinstance(text, str) or not text:
            return False
        redacted, found = redact_passwords(text)
        if found:
            message.set(TEXT, redacted)
            message.set(REDACTED_FLAG, True, add_to_output=True)
        return found

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self.redact(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # Training examples are written by the team; nothing to redact there.
        return training_data


def redact_tracker(tracker: DialogueStateTracker) -> int:
    """Mask what users wrote before it is stored: the password the NLU already redacted, and
    IBANs, e-mail addresses and phone numbers (text, parse data, entity values, slot values).

    Every slot value is masked, the current one too: a value a procedure still needs for the
    portal is sealed by the action server (``actions/sealed.py``) and stored as it is. Slots
    holding the portal's opaque ids (``*_id``) are left alone. Returns how many events were
    changed. Idempotent.
    """
    changed = 0
    typed = {e.text for e in tracker.events if isinstance(e, UserUttered) and e.text}
    for event in tracker.events:
        if isinstance(event, SlotSet) and not _holds_opaque_id(event.key):
            masked = _mask_value(event.value, typed)
            if masked != event.value:
                event.value = masked
                changed += 1
        if not isinstance(event, UserUttered):
            continue
        before = (event.text, repr(event.parse_data))
        redacted = event.parse_data.get(TEXT)
        if event.parse_data.get(REDACTED_FLAG) and isinstance(redacted, str):
            event.text = redacted
        if isinstance(event.text, str):
            event.text = mask_personal_data(event.text, dossiers=False)
        if isinstance(redacted, str):
            event.parse_data[TEXT] = mask_personal_data(redacted, dossiers=False)
        for entity in event.parse_data.get("entities") or []:
            if isinstance(entity, dict) and isinstance(entity.get("value"), str):
                entity["value"] = mask_personal_data(entity["value"], dossiers=False)
        if (event.text, repr(event.parse_data)) != before:
            changed += 1
    return changed


SECRET_METADATA_KEYS = ("portal_token",)
"""Message metadata never stored: the portal session token of the logged-in page."""


def _without_secrets(metadata: Any) -> Any:
    if not isinstance(metadata, dict) or not any(k in metadata for k in SECRET_METADATA_KEYS):
        return metadata
    cleaned = {k: v for k, v in metadata.items() if k not in SECRET_METADATA_KEYS}
    cleaned["portal_token_sent"] = True  # what happened, not the credential
    return cleaned


def strip_tokens(tracker: DialogueStateTracker) -> int:
    """Remove the portal token from stored message metadata and ``session_started_metadata``.

    Rasa keeps a message's metadata verbatim in its ``UserUttered`` event (and the first
    message's in the ``session_started_metadata`` slot); the actions have read the token
    during the turn, before the tracker is saved. Returns how many places changed.
    """
    changed = 0
    for event in tracker.events:
        if isinstance(event, UserUttered):
            cleaned = _without_secrets(event.metadata)
            if cleaned is not event.metadata:
                event.metadata = cleaned
                changed += 1
            if isinstance(event.parse_data, dict) and "metadata" in event.parse_data:
                parsed = _without_secrets(event.parse_data["metadata"])
                if parsed is not event.parse_data["metadata"]:
                    event.parse_data["metadata"] = parsed
                    changed += 1
        elif isinstance(event, SlotSet) and event.key == SESSION_START_METADATA_SLOT:
            cleaned = _without_secrets(event.value)
            if cleaned is not event.value:
                event.value = cleaned
                changed += 1
    slot = tracker.slots.get(SESSION_START_METADATA_SLOT)
    if slot is not None:
        cleaned = _without_secrets(slot.value)
        if cleaned is not slot.value:
            slot.value = cleaned
            changed += 1
    return changed


def _holds_opaque_id(slot: str) -> bool:
    """``reset_id`` and the like: the portal's random hex ids, set by actions, never typed by
    a user. One in eighteen starts like an IBAN (« ba26… »): masked, it would break the
    procedure that needs it."""
    return slot.endswith("_id")


def _mask_value(value: Any, typed: set[str]) -> Any:
    """A slot value as it may be stored. A value copied from what the user typed (``from_text``
    slots) may hold a password; the ones the bot made (upload ids, links) are not searched for
    one, their random letters and digits would look like it."""
    if isinstance(value, list):
        return [_mask_value(v, typed) for v in value]
    if not isinstance(value, str) or value.startswith(SEALED_PREFIX):
        return value
    return mask_personal_data(value, passwords=value in typed, dossiers=False)


class RedactingInMemoryTrackerStore(InMemoryTrackerStore):
    """In-memory store that never keeps a redacted password (development, tests)."""

    async def save(self, tracker: DialogueStateTracker) -> None:
        redact_tracker(tracker)
        strip_tokens(tracker)
        await super().save(tracker)


class RedactingSQLTrackerStore(SQLTrackerStore):
    """SQL store that never writes a redacted password nor a portal token (production).

    On a SQLite file (the default, one Rasa instance) the store keeps one connection open
    instead of SQLAlchemy's default of a new one per read or write (three per turn), in WAL
    mode with ``synchronous=NORMAL``: a commit no longer waits for an fsync, and the support
    console reads while Rasa writes. A commit survives a crash of Rasa; only a power cut may
    lose the last turns. docs/benchmarks.md has the figures. PostgreSQL is left as Rasa sets it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current: Any = vars(self)["engine"]
        url = current.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            engine = sa.create_engine(url, poolclass=sa.pool.SingletonThreadPool)
            sa.event.listen(engine, "connect", _tune_sqlite)
            current.dispose()
            self.engine = engine
            self.sessionmaker = sa.orm.session.sessionmaker(bind=engine)

    @contextlib.contextmanager
    def session_scope(self) -> Iterator[Session]:
        """Rasa's own scope stops the whole server on any ``ValueError`` raised inside it (it
        means a missing PostgreSQL schema), and the database driver raises one for a single
        bad value (a NUL character): one request would take the assistant down for everyone.
        Here the schema check keeps Rasa's behaviour; a request's own error stays its own
        (the channel guard apologises)."""
        session = self.sessionmaker()
        try:
            try:
                ensure_schema_exists(session)
            except ValueError as schema:
                print_error_and_exit(f"PostgreSQL schema '{schema}' was not found. Exiting.")
            yield session
        finally:
            session.close()

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        tracker = await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        if tracker is not None and not fetch_events_from_all_sessions:
            _note_stored(tracker, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the events not stored yet, in one statement.

        Rasa counts the stored events of the conversation's last session (one more query per
        save) and adds them one ORM object at a time. A tracker read from this store knows how
        many of its events are stored: the conversation lock keeps anyone else from writing
        between the read and the save. A tracker from elsewhere is counted as Rasa does.
        """
        redact_tracker(tracker)
        strip_tokens(tracker)
        await self.stream_events(tracker)
        with self.session_scope() as session:
            stored = _stored(tracker)
            if stored is None:
                new = list(self._additional_events(session, tracker))
            else:
                new = list(itertools.islice(tracker.events, stored, None))
            if new:
                session.execute(
                    self.SQLEvent.__table__.insert(),
                    [event_row(tracker.sender_id, event) for event in new],
                )
            session.commit()
        _note_stored(tracker, len(tracker.events))


_STORED = "_carpimko_stored_events"


def _note_stored(tracker: DialogueStateTracker, count: int) -> None:
    """Remember on the tracker object how many of its events are in the store (a copy made
    by Rasa is a new object and is counted again)."""
    if tracker.events.maxlen is None:  # a bounded history would shift the count
        setattr(tracker, _STORED, count)


def _stored(tracker: DialogueStateTracker) -> int | None:
    count = getattr(tracker, _STORED, None)
    return count if isinstance(count, int) and count <= len(tracker.events) else None


def event_row(sender_id: str, event: Event) -> dict[str, Any]:
    """The columns Rasa's ``SQLTrackerStore.save`` writes for one event."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def _tune_sqlite(connection: Any, _: Any) -> None:
    """WAL journal, no fsync per commit, wait (not fail) when the console holds a lock."""
    cursor = connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()
