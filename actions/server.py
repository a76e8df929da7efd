"""The action server: rasa-sdk's app, bound to the internal interface, behind a shared token.

``rasa run actions`` listens on 0.0.0.0 and runs any action for anyone who can reach the port
(with the tracker they send: a caller could make the portal act for a member). Here:

- it listens on ``BIND_HOST`` (default 127.0.0.1);
- every route but ``/health`` needs the header ``X-Action-Token: $ACTION_SERVER_TOKEN``
  (endpoints.yml makes Rasa send it; scripts/run.sh draws a random token per start when the
  variable is unset). An empty token disables the check, with a warning: demo mode only
  (``CARPIMKO_DEMO=1``); in production a missing or weak token (or portal key) stops the start;
- no CORS: browsers have no business calling it.

Run: ``python -m actions.server --port 5055``.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os

from rasa_sdk.endpoint import create_app
from rasa_sdk.plugin import plugin_manager
from sanic import Request, Sanic
from sanic.response import HTTPResponse, json

from actions import observability
from actions.config import load_settings
from carpimko.ops import jsonlog
from carpimko.ops.deployment import SettingError, demo_mode, refuse_to_start, strong_secret

logger = logging.getLogger(__name__)

TOKEN_HEADER = "X-Action-Token"
OPEN_PATHS = frozenset({"/health"})


def create_action_app(token: str, package: str = "actions") -> Sanic:
    """rasa-sdk's Sanic app for ``package``, refusing requests without ``token``."""
    app = create_app(package, cors_origins=None)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    app.config.REQUEST_MAX_SIZE = int(os.environ.get("ACTION_SERVER_MAX_BODY", str(8 << 20)))
    observability.install(app)

    @app.middleware("request")
    async def require_token(request: Request) -> HTTPResponse | None:
        if not token or request.path in OPEN_PATHS:
            return None
        sent = request.headers.get(TOKEN_HEADER, "")
        if hmac.compare_digest(sent.encode(), token.encode()):
            return None
        return json({"error": "missing or wrong X-Action-Token"}, status=401)

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACTION_PORT", "5055")))
    parser.add_argument("--host", default=os.environ.get("BIND_HOST", "127.0.0.1"))
    args = parser.parse_args(argv)
    jsonlog.basic_config("actions", os.environ.get("LOG_LEVEL", "INFO"))
    token = os.environ.get("ACTION_SERVER_TOKEN", "")
    try:
        load_settings()  # refuse now, not at the first action, a key production can't use
        if not demo_mode():
            strong_secret("ACTION_SERVER_TOKEN", token)
    except SettingError as error:
        refuse_to_start("Le serveur d'actions", error)
    if not token:
        logger.warning("ACTION_SERVER_TOKEN is empty: the action server accepts any caller.")
    app = create_action_app(token)
    logger.info("Action server on http://%s:%d", args.host, args.port)
    app.run(args.host, args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
