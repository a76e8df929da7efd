"""A real stack for whole phone calls, started by scripts/run.sh as `make run` does.

The portal starts in demo mode with a movable clock (PORTAL_CLOCK_START, then
PUT /api/v1/demo/clock), so opening hours never depend on the wall clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from benchmarks.devstack import StackError, running_stack
from tests.ivr.twilio_replay import AUTH_TOKEN

SERVICE_KEY = "demo-service-key"
OPEN = "2025-11-12T10:00:00+01:00"  # Wednesday, 10:00 in Paris: advisors answer
CLOSED = "2025-11-12T19:00:00+01:00"  # Wednesday evening
TURN_TOKEN = "test-ivr-turn-token"


@dataclass
class IVRStack:
    rasa_url: str
    portal_url: str

    @property
    def webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/ivr/webhook"

    @property
    def status_url(self) -> str:
        return f"{self.rasa_url}/webhooks/ivr/status"

    @property
    def turn_url(self) -> str:
        return f"{self.rasa_url}/webhooks/ivr/turn"

    def set_clock(self, moment: str) -> None:
        response = httpx.put(
            f"{self.portal_url}/api/v1/demo/clock",
            json={"now": moment},
            headers={"X-Service-Key": SERVICE_KEY},
            timeout=10,
        )
        response.raise_for_status()


@pytest.fixture(scope="session")
def ivr_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IVRStack]:
    """scripts/run.sh on free ports, the portal's clock set to opening hours."""
    overrides = {
        "PORTAL_CLOCK_START": OPEN,
        "PORTAL_SERVICE_KEY": SERVICE_KEY,
        # As in production: every Twilio request signed and checked, the JSON API behind a token.
        "IVR_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "IVR_TWILIO_SIGNATURE": "on",
        "IVR_TURN_TOKEN": TURN_TOKEN,
    }
    try:
        with running_stack(
            tmp_path_factory.mktemp("ivr-stack"), overrides, drop=("IVR_PUBLIC_URL",)
        ) as running:
            yield IVRStack(running.rasa_url, running.portal_url)
    except StackError as error:
        pytest.fail(str(error))
