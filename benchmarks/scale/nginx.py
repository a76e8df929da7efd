"""Render deploy/nginx.conf.template: nginx in front of N Rasa, action and portal instances.

    python -m benchmarks.scale.nginx --prefix /srv/nginx \\
        --rasa 10.0.0.1:5005 --rasa 10.0.0.2:5005 --actions 10.0.0.1:5055 \\
        --portal 10.0.0.1:8080 > /srv/nginx/nginx.conf

Every value has a default from the environment (``NGINX_*``, table in docs/scaling.md); the
template is the one place the topology is written down. ``make scale-test`` renders it into a
temporary directory on free ports.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf.template"
ADDRESS_RE = re.compile(r"^[A-Za-z0-9.-]+:\d{1,5}$")
PLACEHOLDER_RE = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


@dataclass
class Topology:
    """Where nginx listens and the instances behind each upstream (host:port each)."""

    prefix: str
    rasa: list[str]
    actions: list[str]
    portal: list[str]
    listen_host: str = "127.0.0.1"
    rasa_port: int = 80
    actions_port: int = 5055
    portal_port: int = 8080
    worker_processes: int = 1
    # Seconds an instance is left out after one failed request.
    fail_timeout: int = 10
    rasa_read_timeout: int = 90
    max_body: str = "64k"
    access_log: str = "off"
    # Adds X-Carpimko-Upstream (the instance that answered) to Rasa answers: tests only.
    expose_upstream: bool = False

    def validate(self) -> None:
        for name in ("rasa", "actions", "portal"):
            servers = getattr(self, name)
            if not servers:
                raise ValueError(f"no {name} instance given")
            for server in servers:
                if not ADDRESS_RE.match(server):
                    raise ValueError(f"{name} instance {server!r} is not host:port")


def _servers(addresses: list[str], fail_timeout: int) -> str:
    return "\n".join(
        f"        server {a} max_fails=1 fail_timeout={fail_timeout}s;" for a in addresses
    )


def render(topology: Topology, template: Path = TEMPLATE) -> str:
    """The nginx.conf text for ``topology`` (ValueError when an address is malformed)."""
    topology.validate()
    access_log = "off" if topology.access_log == "off" else f"{topology.access_log} carpimko"
    header = (
        "        add_header X-Carpimko-Upstream $upstream_addr always;"
        if topology.expose_upstream
        else ""
    )
    values = dict(
        prefix=topology.prefix,
        worker_processes=topology.worker_processes,
        access_log=access_log,
        max_body=topology.max_body,
        rasa_servers=_servers(topology.rasa, topology.fail_timeout),
        action_servers=_servers(topology.actions, topology.fail_timeout),
        portal_servers=_servers(topology.portal, topology.fail_timeout),
        listen_host=topology.listen_host,
        rasa_port=topology.rasa_port,
        actions_port=topology.actions_port,
        portal_port=topology.portal_port,
        rasa_read_timeout=f"{topology.rasa_read_timeout}s",
        upstream_header=header,
    )
    return fill(template.read_text(encoding="utf-8"), values)


def fill(text: str, values: dict[str, object]) -> str:
    """Replace each ``{{ name }}``; a name without a value is an error, not an empty string."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise ValueError(f"template placeholder {{{{{name}}}}} has no value")
        return str(values[name])

    return PLACEHOLDER_RE.sub(value, text)


def _list(value: str | None) -> list[str]:
    return [v for v in (value or "").replace(",", " ").split() if v]


def main(argv: list[str] | None = None) -> int:
    env = os.environ
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", default=env.get("NGINX_PREFIX", "/var/lib/carpimko-nginx"))
    parser.add_argument("--rasa", action="append", default=None)
    parser.add_argument("--actions", action="append", default=None)
    parser.add_argument("--portal", action="append", default=None)
    parser.add_argument("--listen-host", default=env.get("NGINX_LISTEN_HOST", "127.0.0.1"))
    parser.add_argument("--rasa-port", type=int, default=int(env.get("NGINX_RASA_PORT", "80")))
    parser.add_argument(
        "--actions-port", type=int, default=int(env.get("NGINX_ACTIONS_PORT", "5055"))
    )
    parser.add_argument(
        "--portal-port", type=int, default=int(env.get("NGINX_PORTAL_PORT", "8080"))
    )
    parser.add_argument("--workers", type=int, default=int(env.get("NGINX_WORKERS", "1")))
    parser.add_argument(
        "--read-timeout", type=int, default=int(env.get("NGINX_RASA_READ_TIMEOUT", "90"))
    )
    parser.add_argument("--access-log", default=env.get("NGINX_ACCESS_LOG", "off"))
    parser.add_argument("--expose-upstream", action="store_true")
    parser.add_argument("--out", type=Path, help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    topology = Topology(
        prefix=args.prefix,
        rasa=args.rasa or _list(env.get("NGINX_RASA_SERVERS")),
        actions=args.actions or _list(env.get("NGINX_ACTION_SERVERS")),
        portal=args.portal or _list(env.get("NGINX_PORTAL_SERVERS")),
        listen_host=args.listen_host,
        rasa_port=args.rasa_port,
        actions_port=args.actions_port,
        portal_port=args.portal_port,
        worker_processes=args.workers,
        rasa_read_timeout=args.read_timeout,
        access_log=args.access_log,
        expose_upstream=args.expose_upstream,
    )
    try:
        text = render(topology)
    except ValueError as error:
        print(f"nginx.py: {error}", file=sys.stderr)
        return 2
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
