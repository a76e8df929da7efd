"""Who is talking: the portal session token of the logged-in page, verified by the portal.

The web widget sends ``metadata.portal_token`` with each message on the Espace Personnel page
(docs/web.md). The bot never trusts what the token says: it asks the portal (``GET
/api/v1/me`` with the service key and the token) and keeps only the answer's name and masked
dossier in slots. The token itself is never put in a slot or an event; the tracker stores drop
it from the stored message metadata (``carpimko.nlu.privacy.strip_tokens``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import portal_for
from actions.member_portal import MemberPortal
from actions.portal_client import Member, PortalRejected, PortalUnavailable
from carpimko.procedures import registry
from carpimko.text.privacy import mask_dossier

logger = logging.getLogger(__name__)

TOKEN_KEY = "portal_token"
MAX_TOKEN_LENGTH = 4096
AUTH_SLOT = "authenticated"
IDENTITY_SLOTS = (AUTH_SLOT, "member_name", "member_dossier_masked")
DONE_WITH_THE_BOT = registry().identity_intents()
"""Intents whose procedure the bot runs on the portal (« je peux faire cette démarche… »)."""


def portal_token(tracker: Tracker) -> str | None:
    """The token of the latest message's metadata, or None (anonymous page, bad shape)."""
    metadata = tracker.latest_message.get("metadata") or {}
    token = metadata.get(TOKEN_KEY) if isinstance(metadata, dict) else None
    if not isinstance(token, str):
        return None
    token = token.strip()
    if not token or len(token) > MAX_TOKEN_LENGTH or any(c.isspace() for c in token):
        return None
    return token


@dataclass(frozen=True)
class Identity:
    """Outcome of one verification; ``refusal`` is the response to say when not verified."""

    member: Member | None
    refusal: str | None = None


async def verify(tracker: Tracker) -> Identity:
    """Ask the portal who the token belongs to. Never raises."""
    token = portal_token(tracker)
    if token is None:
        return Identity(None)
    try:
        async with portal_for(tracker) as portal:
            return Identity(await MemberPortal(portal, token).me())
    except PortalRejected as error:
        logger.info("portal token refused: %s %s", error.status, error.code)
        if error.code == "changement_mot_de_passe_requis":
            return Identity(None, "utter_identity_password_change")
        return Identity(None, "utter_identity_refused")
    except PortalUnavailable:
        return Identity(None, "utter_identity_unavailable")


def connected_word(member: Member) -> str:
    """« connectée » for Mme, « connecté » otherwise: the portal's civility decides."""
    return "connectée" if member.civility.strip().lower() in ("mme", "madame") else "connecté"


def identity_slots(member: Member | None) -> list[EventType]:
    if member is None:
        return [SlotSet(AUTH_SLOT, False), SlotSet("member_name", None),
                SlotSet("member_dossier_masked", None)]  # fmt: skip
    return [
        SlotSet(AUTH_SLOT, True),
        SlotSet("member_name", member.display_name),
        SlotSet("member_dossier_masked", mask_dossier(member.dossier_number)),
    ]


class ActionIdentifyUser(Action):
    """Sets ``authenticated`` (featurised: the rules branch on it) before a personal procedure."""

    def name(self) -> str:
        return "action_identify_user"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        identity = await verify(tracker)
        if identity.refusal:
            dispatcher.utter_message(response=identity.refusal)
        elif (
            identity.member is not None
            and tracker.get_slot(AUTH_SLOT) is not True
            and (tracker.latest_message.get("intent") or {}).get("name") in DONE_WITH_THE_BOT
        ):
            dispatcher.utter_message(
                response="utter_identity_confirmed",
                name=identity.member.display_name,
                connected=connected_word(identity.member),
            )
        return identity_slots(identity.member)
