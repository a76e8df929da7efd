"""The multi-instance configuration in deploy/: nginx renders to a file nginx accepts, routes by
conversation with failover, and every Rasa instance shares Redis locks and PostgreSQL trackers."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from rasa.core.lock_store import LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.core.utils import read_endpoints_from_path

from benchmarks.scale import nginx
from benchmarks.scale.nginx import Topology, render

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def topology(tmp_path: Path, **changes: object) -> Topology:
    values: dict[str, object] = dict(
        prefix=str(tmp_path),
        rasa=["10.0.0.1:5005", "10.0.0.2:5005"],
        actions=["10.0.0.1:5055", "10.0.0.2:5055"],
        portal=["10.0.0.3:8080"],
        rasa_port=18005,
        actions_port=18055,
        portal_port=18080,
    )
    values.update(changes)
    return Topology(**values)  # type: ignore[arg-type]


def block(text: str, start: str) -> str:
    """The text of the nginx block opening with ``start`` (up to its closing brace)."""
    at = text.index(start)
    depth = 0
    for index in range(text.index("{", at), len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return text[at : index + 1]
    raise AssertionError(f"unclosed block {start}")


def test_rendered_configuration_is_accepted_by_nginx(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(render(topology(tmp_path)))
    (tmp_path / "tmp").mkdir()
    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_each_conversation_goes_to_one_rasa_instance_and_fails_over(tmp_path: Path) -> None:
    text = render(topology(tmp_path))
    rasa = block(text, "upstream rasa")
    assert "hash $conversation_key consistent;" in rasa
    assert re.findall(r"server (\S+) max_fails=1", rasa) == ["10.0.0.1:5005", "10.0.0.2:5005"]
    assert "default $arg_sender;" in block(text, "map $arg_sender")
    rasa_server = block(text, "server {\n        listen 127.0.0.1:18005")
    # A retried POST is safe (message ids): it must go to the survivor.
    assert "proxy_next_upstream error timeout http_502 http_503 non_idempotent;" in rasa_server
    socketio = block(rasa_server, "location /socket.io/")
    assert "proxy_set_header Upgrade $http_upgrade;" in socketio
    assert "X-Carpimko-Upstream" not in text  # internal addresses stay internal by default


def test_action_calls_are_never_resent_once_sent(tmp_path: Path) -> None:
    text = render(topology(tmp_path))
    actions = block(text, "server {\n        listen 127.0.0.1:18055")
    assert "proxy_pass http://actions;" in actions
    assert "non_idempotent" not in actions
    assert "client_max_body_size 8m;" in actions  # a tracker and domain are larger than 1 MiB
    assert re.findall(r"server (\S+) max_fails", block(text, "upstream actions")) == [
        "10.0.0.1:5055",
        "10.0.0.2:5055",
    ]
    assert "least_conn;" in block(text, "upstream portal")


@pytest.mark.parametrize(
    "changes",
    [{"rasa": []}, {"portal": ["10.0.0.3"]}, {"actions": ["10.0.0.1:5055; evil"]}],
)
def test_a_missing_or_malformed_instance_is_refused(tmp_path: Path, changes: dict) -> None:
    with pytest.raises(ValueError):
        render(topology(tmp_path, **changes))


def test_a_placeholder_without_value_is_an_error(tmp_path: Path) -> None:
    template = tmp_path / "t.conf"
    template.write_text("listen {{rasa_port}}; root {{nowhere}};")
    with pytest.raises(ValueError, match="nowhere"):
        render(topology(tmp_path), template)


def test_the_command_line_reads_instances_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NGINX_RASA_SERVERS", "10.0.0.1:5005, 10.0.0.2:5005")
    monkeypatch.setenv("NGINX_ACTION_SERVERS", "10.0.0.1:5055")
    monkeypatch.setenv("NGINX_PORTAL_SERVERS", "10.0.0.3:8080")
    assert nginx.main(["--prefix", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "server 10.0.0.2:5005 max_fails=1" in out
    monkeypatch.delenv("NGINX_PORTAL_SERVERS")
    assert nginx.main(["--prefix", str(tmp_path)]) == 2
    assert "portal" in capsys.readouterr().err


def test_every_rasa_instance_shares_redis_locks_and_postgresql_trackers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = "postgresql://rasa:secret@db.internal:5432/rasa_trackers"
    for name, value in {
        "ACTION_SERVER_URL": "http://lb.internal:5055/webhook",
        "ACTION_SERVER_TOKEN": "t",
        "TRACKER_DATABASE_URL": url,
        "REDIS_HOST": "redis.internal",
        "REDIS_PORT": "6380",
        "REDIS_DB": "2",
    }.items():
        monkeypatch.setenv(name, value)
    endpoints = read_endpoints_from_path(str(ROOT / "deploy" / "endpoints.yml"))
    store = endpoints.tracker_store
    assert store is not None and store.type == "carpimko.nlu.privacy.RedactingSQLTrackerStore"
    assert SQLTrackerStore.get_db_url(host=store.url, **store.kwargs) == url
    lock_store = LockStore.create(endpoints.lock_store)
    assert isinstance(lock_store, RedisLockStore)
    connection = lock_store.red.connection_pool.connection_kwargs
    assert (connection["host"], connection["port"], connection["db"]) == ("redis.internal", 6380, 2)
    assert lock_store.key_prefix.startswith("carpimko:")
    assert endpoints.action.url == "http://lb.internal:5055/webhook"


class Backend:
    """A tiny HTTP server standing for one Rasa instance: answers its own name."""

    def __init__(self, name: str) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.dumps([{"text": name}]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def balancer(tmp_path: Path) -> Iterator[tuple[str, list[Backend]]]:
    """The rendered nginx, running, in front of two backends."""
    backends = [Backend("A"), Backend("B")]
    port = free_port()
    tmp_path.chmod(0o755)  # nginx's workers run as another user when started by root
    (tmp_path / "tmp").mkdir()
    config = render(
        topology(
            tmp_path,
            rasa=[b.address for b in backends],
            actions=[f"127.0.0.1:{free_port()}"],
            portal=[f"127.0.0.1:{free_port()}"],
            rasa_port=port,
            actions_port=free_port(),
            portal_port=free_port(),
        )
    )
    (tmp_path / "nginx.conf").write_text(config)
    process = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    try:
        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield url, backends
    finally:
        process.terminate()
        process.wait(timeout=10)
        for backend in backends:
            backend.stop()


def served_by(url: str, sender: str) -> str:
    response = httpx.post(url, params={"sender": sender}, json={"sender": sender}, timeout=10)
    assert response.status_code == 200, response.text
    return str(response.json()[0]["text"])


def test_nginx_keeps_each_conversation_on_one_instance_and_moves_it_on_failure(
    balancer: tuple[str, list[Backend]],
) -> None:
    url, (a, _) = balancer
    senders = [f"conversation-{n}" for n in range(30)]
    first = {s: served_by(url, s) for s in senders}
    assert set(first.values()) == {"A", "B"}  # the conversations are spread
    assert all(served_by(url, s) == first[s] for s in senders for _ in range(2))  # and sticky
    a.stop()
    assert {served_by(url, s) for s in senders} == {"B"}  # A's conversations went on, on B


def test_with_every_instance_down_clients_get_a_french_json_error(
    balancer: tuple[str, list[Backend]],
) -> None:
    url, backends = balancer
    for backend in backends:
        backend.stop()
    response = httpx.post(url, params={"sender": "s"}, json={"sender": "s"}, timeout=10)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["error"]["message"].startswith("L'assistant est momentanément")
