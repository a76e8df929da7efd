"""A report as CSV rows or as French text (``carpimko insights``, console download)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from console.export import csv_safe
from console.insights.facts import CATEGORIES, CATEGORY_LABELS
from console.insights.report import Report

TEXT_GROUPS = 5
CSV_COLUMNS = ("section", "cle", "detail", "valeur", "taux")
PHONE_LABELS = {
    "calls": "Appels",
    "transfers": "Transferts vers un conseiller",
    "handed_off": "Appels transmis à un conseiller (transfert ou rappel)",
    "hangups_mid_procedure": "Appels raccrochés en cours de démarche",
}


def csv_rows(
    report: Report, groups: list[dict[str, Any]]
) -> Iterator[tuple[str, str, str, int, str]]:
    """(section, key, detail, value, rate %) — one flat table, easy to pivot. ``groups``:
    :func:`console.insights.clusters.described` (first example of each group shown)."""
    yield "total", "conversations", "", report.total, ""
    for category in CATEGORIES:
        count = report.outcomes.get(category, 0)
        yield "issues", category, CATEGORY_LABELS[category], count, f"{report.rate(count)}"
    yield (
        "issues",
        "recontacted",
        "Reprises sous 24 h",
        report.recontacted,
        (f"{report.rate(report.recontacted)}"),
    )
    for row in report.per_day:
        for category in (*CATEGORIES, "recontacted"):
            yield "par_jour", row["day"], category, row[category], ""
    for form, steps in report.funnels.items():
        for step in steps:
            yield "demarches", form, step["step"], step["reached"], ""
    for intent in report.intents:
        yield "demandes", intent["intent"], "periode", intent["conversations"], ""
        yield "demandes", intent["intent"], "periode_precedente", intent["previous"], ""
    for key, value in report.phone.items():
        yield "telephone", key, PHONE_LABELS[key], value, ""
    for number, group in enumerate(groups, start=1):
        yield "incompris", f"groupe {number}", csv_safe(group["examples"][0]), group["size"], ""


def to_csv(report: Report, groups: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(report, groups))
    return buffer.getvalue()


def to_text(report: Report, groups: list[dict[str, Any]]) -> str:
    """What a manager reads in a terminal."""
    period = report.period
    lines = [f"Période du {period['since']} au {period['until']}"
             + (f", canal {period['channel']}" if "channel" in period else ""),
             f"Conversations : {report.total}"]  # fmt: skip
    for category in CATEGORIES:
        count = report.outcomes.get(category, 0)
        lines.append(f"  {CATEGORY_LABELS[category]} : {count} ({report.rate(count)} %)")
    lines.append(f"  Reprises sous 24 h (même membre, même sujet) : {report.recontacted}")
    if report.funnels:
        lines.append("Démarches :")
    for form, steps in report.funnels.items():
        chain = " → ".join(f"{s['label']} {s['reached']}" for s in steps)
        lines.append(f"  {form} : {chain}")
    if report.intents:
        lines.append("Demandes les plus fréquentes (période précédente) :")
    for intent in report.intents:
        lines.append(f"  {intent['intent']} : {intent['conversations']} ({intent['previous']})")
    for key, value in report.phone.items():
        lines.append(f"{PHONE_LABELS[key]} : {value}")
    if groups:
        lines.append("Messages non compris, groupes les plus grands (un exemple) :")
    for group in groups[:TEXT_GROUPS]:
        lines.append(f"  {group['size']} : « {group['examples'][0]} »")
    return "\n".join(lines) + "\n"
