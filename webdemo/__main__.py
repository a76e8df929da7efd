"""`python -m webdemo`: serve the demo site (one worker) on WEB_HOST:WEB_PORT."""

from __future__ import annotations

from carpimko.ops import jsonlog
from carpimko.ops.deployment import SettingError, refuse_to_start
from webdemo.app import create_app
from webdemo.config import Settings


def main() -> None:
    """Reads the settings from the environment and serves until interrupted."""
    jsonlog.basic_config("webdemo")
    try:
        settings = Settings.from_env()
    except SettingError as error:
        refuse_to_start("Le site de démonstration", error)
    app = create_app(settings)
    app.run(host=settings.host, port=settings.port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
