"""`python -m webdemo`: serve the demo site (one worker) on WEB_HOST:WEB_PORT."""

from __future__ import annotations

from carpimko import jsonlog
from webdemo.app import create_app
from webdemo.config import Settings


def main() -> None:
    """Reads the settings from the environment and serves until interrupted."""
    jsonlog.basic_config("webdemo")
    settings = Settings.from_env()
    app = create_app(settings)
    app.run(host=settings.host, port=settings.port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
