"""One stack for the reliability suite: portal (behind a faulty proxy), action server, Rasa
(tracker store on a throwaway PostgreSQL server), the demo site and the support console, each
its own process on free ports. Modules run in order: bad input, faults, then the log/tracker
scan of everything."""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from collections.abc import Iterator

import pytest
from stacklib import (
    CONSOLE_LOGIN,
    CONSOLE_PASSWORD,
    MODEL,
    VENV_BIN,
    FaultyProxy,
    Postgres,
    Service,
    Stack,
    free_port,
)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make model` (make test does it first)")
    tmp = tmp_path_factory.mktemp("reliability")
    log_dir = tmp / "log"
    log_dir.mkdir()
    postgres = Postgres()
    portal_port, action_port, rasa_port, web_port, console_port = (free_port() for _ in range(5))
    proxy = FaultyProxy(portal_port)
    action_token, api_token = secrets.token_hex(16), secrets.token_hex(16)
    base_env = {
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_TELEMETRY_ENABLED": "false",
        "ACTION_SERVER_TOKEN": action_token,
        "CARPIMKO_DEMO": "1",
        # The load tests here are one loopback client sending faster than a person: the
        # chat's own limits are tested in test_channel_abuse.py.
        "CARPIMKO_RATE_SENDER": "100000/60",
        "CARPIMKO_RATE_CLIENT": "100000/60",
    }
    endpoints = tmp / "endpoints.yml"
    pg = postgres.url_parts
    endpoints.write_text(
        f"""action_endpoint:
  url: http://127.0.0.1:{action_port}/webhook
  headers:
    X-Action-Token: {action_token}
tracker_store:
  type: carpimko.nlu.privacy.RedactingSQLTrackerStore
  dialect: postgresql
  url: {pg["url"]}
  port: {pg["port"]}
  db: {pg["db"]}
  username: {pg["username"]}
  password: ""
"""
    )
    portal = Service(
        "portal",
        [str(VENV_BIN / "python"), "-m", "portal"],
        {
            **base_env,
            "PORTAL_PORT": str(portal_port),
            "PORTAL_HOST": "127.0.0.1",
            "PORTAL_DATABASE_URL": f"sqlite:///{tmp / 'portal.sqlite3'}",
        },
        f"http://127.0.0.1:{portal_port}/health",
        log_dir,
    )
    actions = Service(
        "actions",
        [str(VENV_BIN / "python"), "-m", "actions.server", "--port", str(action_port)],
        {**base_env, "PORTAL_URL": proxy.url},
        f"http://127.0.0.1:{action_port}/health",
        log_dir,
    )
    rasa = Service(
        "rasa",
        [
            str(VENV_BIN / "python"),
            "-m",
            "carpimko.rasa_server",  # as scripts/run.sh: the API token from the environment
            "run",
            "--model",
            str(MODEL),
            "--port",
            str(rasa_port),
            "--interface",
            "127.0.0.1",
            "--credentials",
            "credentials.yml",
            "--endpoints",
            str(endpoints),
        ],
        {**base_env, "SANIC_REQUEST_MAX_SIZE": "65536", "RASA_AUTH_TOKEN": api_token},
        f"http://127.0.0.1:{rasa_port}/",
        log_dir,
    )
    web = Service(
        "web",
        [str(VENV_BIN / "python"), "-m", "webdemo"],
        {
            **base_env,
            "WEB_PORT": str(web_port),
            "WEB_HOST": "127.0.0.1",
            "PORTAL_URL": f"http://127.0.0.1:{portal_port}",
            "RASA_PUBLIC_URL": f"http://127.0.0.1:{rasa_port}",
        },
        f"http://127.0.0.1:{web_port}/health",
        log_dir,
    )
    console_env = {
        **base_env,
        "CONSOLE_PORT": str(console_port),
        "CONSOLE_HOST": "127.0.0.1",
        "CONSOLE_DATABASE_URL": f"sqlite:///{tmp / 'console.sqlite3'}",
        "CONSOLE_TRACKER_URL": f"postgresql://{pg['username']}@127.0.0.1:{pg['port']}/{pg['db']}",
        "PORTAL_URL": f"http://127.0.0.1:{portal_port}",
    }
    created = subprocess.run(
        [str(VENV_BIN / "carpimko"), "staff", "create", CONSOLE_LOGIN, "--password-stdin"],
        input=CONSOLE_PASSWORD + "\n",
        env=console_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    console = Service(
        "console",
        [str(VENV_BIN / "python"), "-m", "console"],
        console_env,
        f"http://127.0.0.1:{console_port}/health",
        log_dir,
    )
    started: list[Service] = []
    try:
        for service in (portal, actions, rasa, web, console):
            began = time.monotonic()
            service.start()
            started.append(service)
            if service is rasa:
                rasa_start = time.monotonic() - began
        stack = Stack(
            portal,
            proxy,
            actions,
            rasa,
            postgres,
            f"http://127.0.0.1:{rasa_port}",
            f"http://127.0.0.1:{portal_port}",
            api_token,
            log_dir,
            f"http://127.0.0.1:{web_port}",
            f"http://127.0.0.1:{console_port}",
        )
        stack.timings["rasa_start_s"] = rasa_start
        yield stack
    finally:
        for service in reversed(started):
            service.stop()
        proxy.close()
        postgres.close()
