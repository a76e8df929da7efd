"""Write the fund's facts (carpimko/facts.yml) into domain.yml as slots, or check they are there.

    python scripts/render_facts.py          # rewrite the generated block if it changed
    python scripts/render_facts.py --check  # exit 1 when domain.yml is out of date

Responses state a fact as its slot (``{fact_letter_delay}``); the slot's initial value is the
fact, so editing facts.yml then running this (``make facts``, run before every training) changes
every response that states it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from carpimko import facts  # noqa: E402

DOMAIN = ROOT / "domain.yml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether it is up to date")
    args = parser.parse_args(argv)
    current = DOMAIN.read_text(encoding="utf-8")
    rendered = facts.render_domain(current)
    if rendered == current:
        return 0
    if args.check:
        print("domain.yml: the facts block differs from carpimko/facts.yml; run `make facts`.")
        return 1
    DOMAIN.write_text(rendered, encoding="utf-8")
    print("domain.yml: facts block rewritten from carpimko/facts.yml.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
