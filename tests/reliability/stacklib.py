"""Start, stop and break the real processes of the stack on free ports (fault injection).

Unlike tests/integration (which runs scripts/run.sh whole), each service here is its own
process so that a test can kill or restart one of them:

- :class:`Service`: one process (portal, action server, Rasa) with its log file;
- :class:`FaultyProxy`: a small HTTP reverse proxy in front of the portal that can pass, answer
  500, hang, or stop listening (connection refused) on demand;
- :class:`Postgres`: a throwaway PostgreSQL cluster (Debian's server binaries), restartable.
"""

from __future__ import annotations

import contextlib
import glob
import http.client
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from benchmarks.devstack import free_port, stop_group

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
MODEL = ROOT / "models" / "carpimko.tar.gz"
SERVICE_UNAVAILABLE = "je ne peux pas terminer cette démarche pour le moment"
CONSOLE_LOGIN, CONSOLE_PASSWORD = "conseiller.fiabilite", "Fiabilite-console-2026"


@dataclass
class Stack:
    portal: Service
    proxy: FaultyProxy
    actions: Service
    rasa: Service
    postgres: Postgres
    rasa_url: str
    portal_url: str
    api_token: str
    log_dir: Path
    web_url: str
    console_url: str
    timings: dict[str, float] = field(default_factory=dict)

    def say(self, sender: str, text: str, timeout: float = 60) -> list[dict[str, Any]]:
        """One REST turn; the bot's messages."""
        response = httpx.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=timeout,
        )
        assert response.status_code == 200, response.text
        messages: list[dict[str, Any]] = response.json()
        return messages

    def tracker(self, sender: str) -> dict[str, Any]:
        response = httpx.get(
            f"{self.rasa_url}/conversations/{sender}/tracker",
            params={"token": self.api_token},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        tracker: dict[str, Any] = response.json()
        return tracker


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def new_sender() -> str:
    return f"rel-{uuid.uuid4().hex[:12]}"


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return 200 <= answer.status < 300
    except OSError:
        return False


class Service:
    """One process of the stack, logging to ``log_dir/<name>.log`` (appended across restarts)."""

    def __init__(
        self, name: str, command: list[str], env: dict[str, str], health: str, log_dir: Path
    ) -> None:
        self.name, self.command, self.env, self.health = name, command, env, health
        self.log = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 900) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if http_ok(self.health):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.25)
        tail = self.log.read_text(errors="replace")[-4000:]
        self.stop()
        raise RuntimeError(f"{self.name} did not start:\n{tail}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None:
            stop_group(self.process, sig)

    def restart(self) -> None:
        self.stop()
        self.start()


class FaultyProxy:
    """Reverse proxy to ``upstream`` whose ``mode`` is: pass, error500, slow, down."""

    def __init__(self, upstream_port: int, slow_seconds: float = 8.0) -> None:
        self.port = free_port()
        self.upstream_port = upstream_port
        self.slow_seconds = slow_seconds
        self.mode = "pass"
        self.requests = 0
        self._server: ThreadingHTTPServer | None = None
        self.listen()

    def listen(self) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: object) -> None:
                pass

            def _forward(self) -> None:
                proxy.requests += 1
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if proxy.mode == "slow":
                    time.sleep(proxy.slow_seconds)
                if proxy.mode == "error500":
                    payload = b"<html>Internal Server Error</html>"
                    self.send_response(500)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                connection = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, 30)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                try:
                    connection.request(self.command, self.path, body=body, headers=headers)
                    answer = connection.getresponse()
                    data = answer.read()
                    self.send_response(answer.status)
                    for key, value in answer.getheaders():
                        if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                            self.send_header(key, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (OSError, BrokenPipeError):
                    return
                finally:
                    connection.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self._server = server

    def set(self, mode: str) -> None:
        """Switch the fault; « down » closes the listening socket (connection refused)."""
        if mode == "down" and self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        elif mode != "down" and self._server is None:
            self.listen()
        self.mode = mode

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.set("down")


class Postgres:
    """A private PostgreSQL cluster in a temporary directory (as scripts/with-postgres.sh)."""

    def __init__(self) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not bins:
            raise RuntimeError("PostgreSQL server not installed: run scripts/system-deps.sh")
        self.bindir = Path(bins[-1]).parent
        self.port = free_port()
        self.workdir = Path(tempfile.mkdtemp(prefix="rel-pg-"))
        if os.getuid() == 0:
            shutil.chown(self.workdir, "postgres")
        self._run("initdb", "-D", str(self.workdir / "data"), "-U", "postgres", "-A", "trust")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "rasa")

    @property
    def url_parts(self) -> dict[str, str]:
        return {"url": "127.0.0.1", "port": str(self.port), "db": "rasa", "username": "postgres"}

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if os.getuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.workdir}"
        self._run(
            "pg_ctl",
            "-D",
            str(self.workdir / "data"),
            "-l",
            str(self.workdir / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.workdir / "data"), "-m", mode, "-w", "stop")

    def query(self, sql: str) -> str:
        command = [
            str(self.bindir / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            "rasa",
            "-At",
            "-c",
            sql,
        ]
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self.stop("immediate")
        shutil.rmtree(self.workdir, ignore_errors=True)
