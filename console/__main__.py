"""`python -m console`: serve the support console (one worker) on CONSOLE_HOST:CONSOLE_PORT."""

from __future__ import annotations

from carpimko.ops import jsonlog
from carpimko.ops.deployment import SettingError, refuse_to_start
from console.app import create_app
from console.config import Settings


def main() -> None:
    jsonlog.basic_config("console")
    try:
        settings = Settings.from_env()
    except SettingError as error:
        refuse_to_start("La console", error)
    app = create_app(settings)
    app.run(host=settings.host, port=settings.port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
