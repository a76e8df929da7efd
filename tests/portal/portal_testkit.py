"""Helpers shared by the portal tests (imported as a top-level module by pytest)."""

from __future__ import annotations

import socket
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from sanic import Sanic
from sqlalchemy import text
from sqlalchemy.engine import Engine

from portal.seed import DEMO_PASSWORD

START = datetime(2025, 11, 12, 9, 0, tzinfo=timezone.utc)  # Wednesday, 10:00 in Paris
SERVICE_KEY = "test-service-key-0123456789abcdefghij"


class FakeClock:
    """The application clock, moved by the tests (tokens expire against it)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Portal:
    """A running portal and an HTTP client on it."""

    def __init__(
        self, client: httpx.AsyncClient, clock: FakeClock, engine: Engine, app: Sanic
    ) -> None:
        self.client = client
        self.clock = clock
        self.engine = engine
        self.app = app

    async def login(
        self, dossier: str, password: str = DEMO_PASSWORD, profile: str | None = None
    ) -> dict[str, str]:
        profile = profile or ("affilie" if len(dossier) == 7 else "ayant_droit")
        response = await self.client.post(
            "/api/v1/sessions",
            json={"profile": profile, "dossier_number": dossier, "password": password},
        )
        assert response.status_code == 201, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}

    async def outbox(self, dossier: str) -> list[dict[str, Any]]:
        response = await self.client.get("/api/v1/demo/outbox", params={"dossier_number": dossier})
        assert response.status_code == 200
        messages: list[dict[str, Any]] = response.json()["messages"]
        return messages

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as connection:
            return connection.execute(text(sql), params).scalar()


class served:
    """Serve an app on a free port for the duration of a block."""

    def __init__(self, app: Sanic) -> None:
        self.app = app
        self.port = free_port()

    async def __aenter__(self) -> httpx.AsyncClient:
        # create_server already listens; no request arrives before the listeners have run.
        server = await self.app.create_server(
            host="127.0.0.1", port=self.port, return_asyncio_server=True, access_log=False
        )
        assert server is not None
        self.server = server
        await self.server.startup()
        await self.server.before_start()
        await self.server.after_start()
        # verify=False: plain HTTP on loopback, and it spares loading the CA bundle per test.
        self.client = httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{self.port}", timeout=30, verify=False
        )
        return self.client

    async def __aexit__(self, *_: object) -> None:
        await self.client.aclose()
        await self.server.before_stop()
        self.server.close()
        await self.server.wait_closed()
        await self.server.after_stop()
