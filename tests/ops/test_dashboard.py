"""The Grafana dashboard in deploy/ reads the metrics the services really serve, and all of them."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client import REGISTRY

from carpimko.ops import metrics

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "carpimko-dashboard.json"
SUFFIXES = ("_bucket", "_count", "_sum", "_total")


def family(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def test_every_panel_reads_a_served_metric_and_every_metric_has_a_panel() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    used = {family(n) for e in exprs for n in re.findall(r"\bcarpimko_[a-z_]+", e)}
    assert metrics.HTTP_REQUESTS  # the module's metrics are registered on import
    served = {f.name for f in REGISTRY.collect() if f.name.startswith("carpimko_")}
    assert used <= served, used - served
    assert served <= used, served - used
    assert len({p["id"] for p in dashboard["panels"]}) == len(dashboard["panels"])
