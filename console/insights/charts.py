"""The dashboard's charts, drawn on the server as SVG by matplotlib (no JavaScript: the
console's CSP forbids it). Each chart is an ``<img>`` with a data: URL (the CSP allows
``img-src data:``) and its figures are also in a table for screen readers.

Text stays text in the SVG (``svg.fonttype: none``), in French, with the Okabe-Ito palette
(distinguishable with the common colour blindnesses).
"""

from __future__ import annotations

import base64
import io
from typing import Any

from console.insights.facts import CATEGORIES, CATEGORY_LABELS

COLOURS = {
    "resolved": "#009E73",
    "handed_off": "#0072B2",
    "abandoned": "#E69F00",
    "not_understood": "#D55E00",
}
BAR = "#0072B2"
STYLE = {"svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 9,
         "svg.hashsalt": "carpimko"}  # fmt: skip


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100)


def _data_url(figure: Any) -> str:
    import matplotlib

    buffer = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def outcomes_per_day(per_day: list[dict[str, Any]]) -> str:
    """Stacked bars: each day's conversations by outcome."""
    import matplotlib

    with matplotlib.rc_context(STYLE):
        figure = _figure(8, 3)
        axes = figure.add_subplot()
        days = ["/".join(reversed(row["day"].split("-")[1:])) for row in per_day]
        bottom = [0] * len(per_day)
        for category in CATEGORIES:
            values = [row[category] for row in per_day]
            axes.bar(days, values, bottom=bottom, color=COLOURS[category],
                     label=CATEGORY_LABELS[category])  # fmt: skip
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        axes.set_ylabel("Conversations")
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        _tidy(axes, len(days))
        return _data_url(figure)


def horizontal_bars(labels: list[str], values: list[int], unit: str) -> str:
    """One bar per label, the first at the top (top requests, a procedure's funnel)."""
    import matplotlib

    with matplotlib.rc_context(STYLE):
        figure = _figure(7, 0.35 * max(len(labels), 2) + 0.6)
        axes = figure.add_subplot()
        positions = list(range(len(labels)))[::-1]
        axes.barh(positions, values, color=BAR)
        axes.set_yticks(positions, labels)
        axes.set_xlabel(unit)
        for position, value in zip(positions, values, strict=True):
            axes.annotate(str(value), (value, position), xytext=(3, 0),
                          textcoords="offset points", va="center")  # fmt: skip
        axes.spines[["top", "right"]].set_visible(False)
        return _data_url(figure)


def _tidy(axes: Any, count: int) -> None:
    axes.spines[["top", "right"]].set_visible(False)
    step = max(1, count // 15)
    for index, label in enumerate(axes.get_xticklabels()):
        label.set_visible(index % step == 0)
    axes.tick_params(axis="x", labelrotation=45)
