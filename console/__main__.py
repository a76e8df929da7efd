"""`python -m console`: serve the support console (one worker) on CONSOLE_HOST:CONSOLE_PORT."""

from __future__ import annotations

import logging

from console.app import create_app
from console.config import Settings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = Settings.from_env()
    app = create_app(settings)
    app.run(host=settings.host, port=settings.port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
