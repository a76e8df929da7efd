"""The dashboard's charts, drawn on the server as SVG by matplotlib (no JavaScript: the
console's CSP forbids it). Each chart is an ``<img>`` with a data: URL (the CSP allows
``img-src data:``) and its figures are also in a table for screen readers.

Text stays text in the SVG (``svg.fonttype: none``), in French, with the Okabe-Ito palette
(distinguishable with the common colour blindnesses).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
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
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _bars(
    axes: Any,
    positions: Sequence[float],
    starts: Sequence[float],
    lengths: Sequence[float],
    colour: str,
    label: str | None = None,
    horizontal: bool = False,
) -> None:
    """Rectangles as one PolyCollection: one artist per series, not one per bar (matplotlib's
    ``bar`` made 240 of them for 60 days, and took most of the page's time)."""
    from matplotlib.collections import PolyCollection

    half = 0.4
    boxes = []
    for at, start, length in zip(positions, starts, lengths, strict=True):
        if horizontal:
            boxes.append([(start, at - half), (start + length, at - half),
                          (start + length, at + half), (start, at + half)])  # fmt: skip
        else:
            boxes.append([(at - half, start), (at + half, start),
                          (at + half, start + length), (at - half, start + length)])  # fmt: skip
    axes.add_collection(PolyCollection(boxes, facecolors=colour, edgecolors="none", label=label))


def outcomes_per_day(per_day: list[dict[str, Any]]) -> str:
    """Stacked bars: each day's conversations by outcome."""
    import matplotlib

    with matplotlib.rc_context(STYLE):
        figure = _figure(8, 3)
        figure.subplots_adjust(left=0.08, right=0.72, bottom=0.22, top=0.95)
        axes = figure.add_subplot()
        positions = list(range(len(per_day)))
        bottom = [0] * len(per_day)
        for category in CATEGORIES:
            values = [row[category] for row in per_day]
            _bars(axes, positions, bottom, values, COLOURS[category], CATEGORY_LABELS[category])
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        axes.set_xlim(-0.6, len(per_day) - 0.4)
        axes.set_ylim(0, max(bottom, default=0) * 1.05 or 1)
        step = max(1, -(-len(per_day) // 12))
        days = ["/".join(reversed(row["day"].split("-")[1:])) for row in per_day]
        axes.set_xticks(positions[::step], days[::step], rotation=45)
        axes.set_ylabel("Conversations")
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        axes.spines[["top", "right"]].set_visible(False)
        return _data_url(figure)


def horizontal_bars(labels: list[str], values: list[int], unit: str) -> str:
    """One bar per label, the first at the top (top requests, a procedure's funnel)."""
    import matplotlib

    with matplotlib.rc_context(STYLE):
        height = 0.3 * max(len(labels), 2) + 0.7
        figure = _figure(7, height)
        figure.subplots_adjust(left=0.34, right=0.95, bottom=0.5 / height, top=1 - 0.1 / height)
        axes = figure.add_subplot()
        positions = list(range(len(labels)))[::-1]
        _bars(axes, positions, [0] * len(values), values, BAR, horizontal=True)
        axes.set_ylim(-0.6, len(labels) - 0.4)
        axes.set_xlim(0, max(values, default=0) * 1.15 or 1)
        axes.set_yticks(positions, labels)
        axes.set_xlabel(unit)
        for position, value in zip(positions, values, strict=True):
            axes.annotate(str(value), (value, position), xytext=(3, 0),
                          textcoords="offset points", va="center")  # fmt: skip
        axes.spines[["top", "right"]].set_visible(False)
        return _data_url(figure)
