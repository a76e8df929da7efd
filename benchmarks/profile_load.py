"""How long Rasa takes to load the model, and how much memory it then holds.

    flock /work/wt/heavy.lock .venv/bin/python -m benchmarks.profile_load [--rasa-load]
        [--dump var/parses.json] [--profile]

Loads models/carpimko.tar.gz in this process as the server does (:mod:`carpimko.rasa_patches`), or
the way ``rasa run`` does with ``--rasa-load``; prints the import and load times and the RSS
after the load. ``--dump`` writes the parse (intent ranking, entities) of every training
example of data/nlu to a JSON file: two dumps of the two loads must be identical (``cmp``).
``--profile`` prints the load's 40 most expensive functions (cProfile, cumulative).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = re.compile(r"^\s*- (.+)$")
ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def rss_mib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return 0


def examples() -> list[str]:
    """The training examples of data/nlu, annotations removed."""
    texts: list[str] = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for line in path.read_text().splitlines():
            found = EXAMPLE.match(line)
            if found and not found.group(1).startswith(("intent:", "regex:", "lookup:")):
                texts.append(ANNOTATION.sub(r"\1", found.group(1)))
    return texts


async def parses(agent: Any, texts: list[str]) -> list[Any]:
    results = []
    for text in texts:
        parsed = await agent.parse_message(text)
        ranking = [(i["name"], round(i["confidence"], 5)) for i in parsed["intent_ranking"]]
        entities = [(e["entity"], e["value"], e.get("extractor")) for e in parsed["entities"]]
        results.append([text, ranking, entities])
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa-load", action="store_true", help="Rasa's own load")
    parser.add_argument("--model", default=str(ROOT / "models" / "carpimko.tar.gz"))
    parser.add_argument("--dump", type=Path, help="JSON file for the parses of data/nlu")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    started = time.monotonic()
    from rasa.core.agent import Agent

    if not args.rasa_load:
        from carpimko import rasa_patches

        rasa_patches.install()
    imported = time.monotonic()
    profile = cProfile.Profile()
    if args.profile:
        profile.enable()
    agent = Agent.load(args.model)
    profile.disable()
    loaded = time.monotonic()
    memory = rss_mib()
    how = "Rasa's load" if args.rasa_load else "fast load"
    print(
        f"{how}: imports {imported - started:.1f} s, model load {loaded - imported:.1f} s, "
        f"RSS after the load {memory} MiB"
    )
    if args.dump:
        texts = examples()
        args.dump.write_text(json.dumps(asyncio.run(parses(agent, texts)), ensure_ascii=False))
        print(f"{len(texts)} parses written to {args.dump}")
    if args.profile:
        pstats.Stats(profile, stream=sys.stdout).sort_stats("cumulative").print_stats(40)
    return 0


if __name__ == "__main__":
    sys.exit(main())
