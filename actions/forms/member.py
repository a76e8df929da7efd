"""Shared plumbing of the logged-in procedures: the verified member's portal, failures, slots.

Each procedure form asks the portal with the token of the *current* message (the widget sends
it with every message). A token that is missing, refused or a portal that does not answer ends
the procedure with a French message and the do-it-yourself path (``procedure_outcome``).
"""

from __future__ import annotations

from abc import ABC
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import portal_for
from actions.forms.base import OUTCOME_SLOT, CountingFormValidation
from actions.identity import AUTH_SLOT, portal_token
from actions.member_portal import MemberPortal
from actions.portal_client import PortalRejected, PortalUnavailable
from carpimko.procedures import registry

T = TypeVar("T")

MEMBER_PROCEDURE_SLOTS = registry().logged_in_slots()
"""Every slot of the logged-in procedures (carpimko/procedures.yml), outcome and failures."""


class ProcedureStopped(Exception):
    """The procedure cannot go on (session lost, portal down): the user has been told."""

    def __init__(self, events: list[EventType]) -> None:
        super().__init__("procedure stopped")
        self.events = events


async def call_member_portal(
    tracker: Tracker,
    dispatcher: CollectingDispatcher,
    call: Callable[[MemberPortal], Awaitable[T]],
    unavailable: str,
) -> T:
    """Run ``call`` with the member's portal; a lost session or a portal failure becomes
    :class:`ProcedureStopped` after the right French message. ``PortalRejected`` other than
    401/403 is re-raised for the caller to explain (e.g. a refused IBAN)."""
    token = portal_token(tracker)
    if token is None:
        dispatcher.utter_message(response="utter_identity_lost")
        raise ProcedureStopped([SlotSet(AUTH_SLOT, False), SlotSet(OUTCOME_SLOT, "session")])
    try:
        async with portal_for(tracker) as portal:
            return await call(MemberPortal(portal, token))
    except PortalRejected as error:
        if error.status in (401, 403):
            dispatcher.utter_message(response="utter_identity_refused")
            raise ProcedureStopped(
                [SlotSet(AUTH_SLOT, False), SlotSet(OUTCOME_SLOT, "session")]
            ) from error
        raise
    except PortalUnavailable as error:
        dispatcher.utter_message(response="utter_portal_unavailable_member")
        dispatcher.utter_message(response=unavailable)
        raise ProcedureStopped([SlotSet(OUTCOME_SLOT, "unavailable")]) from error


def stopped_slots(error: ProcedureStopped) -> dict[str, Any]:
    """The events of a stop as the slot dict a ``validate_<slot>`` returns."""
    return {e["name"]: e["value"] for e in error.events if e.get("event") == "slot"}


class MemberProcedureForm(CountingFormValidation, ABC):
    """A logged-in procedure's form: it ends as soon as ``procedure_outcome`` is set."""

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:  # fmt: skip
        return [] if tracker.get_slot(OUTCOME_SLOT) else domain_slots

    async def ask_portal(
        self,
        slot: str,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        call: Callable[[MemberPortal], Awaitable[T]],
        unavailable: str,
    ) -> tuple[T | None, dict[str, Any]]:
        """The portal's answer for ``slot``'s value, or None and the slots to return: the
        procedure stopped (session, portal down), or the portal's refusal said as a reject."""
        try:
            return await call_member_portal(tracker, dispatcher, call, unavailable), {}
        except ProcedureStopped as stop:
            return None, {slot: None, **stopped_slots(stop)}
        except PortalRejected as rejection:
            refused = self.reject(
                slot, dispatcher, tracker, "utter_portal_refused", message=rejection.message
            )
            return None, refused


def clear_procedure() -> list[EventType]:
    return [SlotSet(name, None) for name in MEMBER_PROCEDURE_SLOTS]
