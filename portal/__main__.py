"""`python -m portal [serve|migrate|seed]`: serve on PORTAL_HOST:PORTAL_PORT (one worker).

Serving first brings the schema to the latest migration and, in demo mode,
loads the demo data into an empty database.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import datetime

from carpimko.ops import jsonlog
from portal.app import create_app
from portal.config import ConfigError, Settings
from portal.db import make_engine, migrate, unit_of_work
from portal.security import make_hasher
from portal.seed import seed
from portal.timeutil import Clock, ShiftableClock, system_clock

log = logging.getLogger("portal")


def prepare(settings: Settings, *, load_demo: bool) -> None:
    """Migrate to head, then seed an empty database when asked."""
    migrate(settings.database_url)
    if load_demo:
        engine = make_engine(settings.database_url, 1)
        try:
            loaded = unit_of_work(engine, seed, make_hasher(settings), system_clock())
        finally:
            engine.dispose()
        log.info("demo data %s", "loaded" if loaded else "already present")


def clock_for(settings: Settings) -> Clock:
    """Demo mode: a clock the demo endpoint can move (start from PORTAL_CLOCK_START)."""
    if not settings.demo_mode:
        return system_clock
    start = datetime.fromisoformat(settings.clock_start) if settings.clock_start else None
    return ShiftableClock(start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal", description=__doc__)
    parser.add_argument("command", nargs="?", default="serve", choices=("serve", "migrate", "seed"))
    parser.add_argument(
        "--no-migrate", action="store_true", help="serve without running the migrations first"
    )
    parser.add_argument(
        "--no-seed", action="store_true", help="do not load the demo data, even in demo mode"
    )
    args = parser.parse_args(argv)
    jsonlog.basic_config("portal")
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"Configuration invalide : {error}", file=sys.stderr)
        return 2
    if args.command == "migrate":
        migrate(settings.database_url)
        return 0
    if args.command == "seed":
        prepare(settings, load_demo=True)
        return 0
    if not args.no_migrate:
        prepare(settings, load_demo=settings.demo_mode and not args.no_seed)
    app = create_app(settings, clock_for(settings))
    app.run(
        host=settings.host,
        port=settings.port,
        workers=1,
        access_log=settings.access_log,
        motd=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
