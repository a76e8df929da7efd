"""`carpimko`: the command line of the support team (installed in .venv by pyproject).

    carpimko transcripts export --since 2026-01-01 [--until 2026-01-31] [--channel web|ivr|rest]
                                --format jsonl|csv|html [--output FILE]
    carpimko transcripts purge [--older-than DAYS] [--dry-run] [--every HOURS]
    carpimko staff create LOGIN [--password-stdin]
    carpimko privacy scan [--tracker URL] [--console URL] [--logs PATH…] [--stacks DIR]
    carpimko privacy scrub [--tracker URL]
    carpimko insights [--since DAY] [--until DAY] [--channel web|ivr|rest] [--json|--csv]
                      [--output FILE] [--refresh-only]

Databases come from the same environment as the console (console/config.py): the tracker
store from CONSOLE_TRACKER_URL or TRACKER_DB, the staff/audit database from
CONSOLE_DATABASE_URL. Every export and purge is written to the console's audit log.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timezone
from typing import Any, TextIO

from carpimko.ops.deployment import SettingError
from console import export, privacy_scan, staff, tracker
from console.config import DEFAULT_RETENTION_DAYS, Settings
from console.conversations import export_record


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"date invalide « {value} » (AAAA-MM-JJ)") from error


def _days(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError("indiquez un nombre de jours entier, au moins 1")
    return int(value)


def _hours(value: str) -> float:
    try:
        hours = float(value)
    except ValueError:
        hours = 0.0
    if not hours > 0:
        raise argparse.ArgumentTypeError("indiquez un nombre d'heures positif")
    return hours


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="carpimko", description="Outils de l'équipe support.")
    groups = root.add_subparsers(dest="group", required=True)

    transcripts = groups.add_parser("transcripts", help="conversations de l'assistant")
    commands = transcripts.add_subparsers(dest="command", required=True)
    out = commands.add_parser("export", help="exporter des conversations (masquées)")
    out.add_argument("--since", type=_date, required=True, help="premier jour (AAAA-MM-JJ, UTC)")
    out.add_argument("--until", type=_date, help="dernier jour inclus (AAAA-MM-JJ, UTC)")
    out.add_argument("--channel", choices=sorted(tracker.CHANNEL_INPUTS), help="canal")
    out.add_argument("--format", choices=export.FORMATS, required=True)
    out.add_argument("--output", "-o", help="fichier à écrire (défaut : sortie standard)")
    purge = commands.add_parser("purge", help="supprimer les conversations trop anciennes")
    purge.add_argument(
        "--older-than",
        type=_days,
        default=None,
        metavar="DAYS",
        help="dernière activité il y a plus de DAYS jours (défaut : TRANSCRIPT_RETENTION_DAYS, "
        f"{DEFAULT_RETENTION_DAYS})",
    )
    purge.add_argument("--dry-run", action="store_true", help="compter sans supprimer")
    purge.add_argument(
        "--every",
        type=_hours,
        default=None,
        metavar="HOURS",
        help="purger maintenant puis toutes les HOURS heures, jusqu'à l'arrêt (scripts/run.sh)",
    )

    insights = groups.add_parser("insights", help="chiffres du tableau de bord")
    insights.add_argument("--since", type=_date, help="premier jour (défaut : il y a 29 jours)")
    insights.add_argument("--until", type=_date, help="dernier jour inclus (défaut : aujourd'hui)")
    insights.add_argument("--channel", choices=sorted(tracker.CHANNEL_INPUTS), help="canal")
    shape = insights.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="sortie JSON")
    shape.add_argument("--csv", action="store_true", help="sortie CSV")
    insights.add_argument("--output", "-o", help="fichier à écrire (défaut : sortie standard)")
    insights.add_argument(
        "--refresh-only", action="store_true", help="mettre le résumé à jour sans rien afficher"
    )

    staff_group = groups.add_parser("staff", help="comptes de la console")
    staff_commands = staff_group.add_subparsers(dest="command", required=True)
    create = staff_commands.add_parser("create", help="créer un compte")
    create.add_argument("login")
    create.add_argument(
        "--password-stdin", action="store_true", help="lire le mot de passe sur l'entrée standard"
    )
    privacy_scan.add_commands(groups)
    return root


def export_transcripts(args: argparse.Namespace, settings: Settings) -> int:
    filters = tracker.Filters(since=args.since, until=args.until, channel=args.channel)
    errors = filters.validate()
    if errors:
        print(" ".join(errors), file=sys.stderr)
        return 2
    engine = tracker.open_engine(settings.tracker_url, read_only=True)
    count = 0

    def records() -> Iterator[dict[str, Any]]:
        nonlocal count
        for sender, events in tracker.stream_conversations(engine, filters):
            count += 1
            yield export_record(sender, events)

    target: TextIO
    target = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout  # noqa: SIM115
    try:
        for chunk in export.WRITERS[args.format](records()):
            target.write(chunk)
    finally:
        if args.output:
            target.close()
        engine.dispose()
    store = staff.open_store(settings.database_url)
    staff.record(
        store,
        _actor(),
        "export",
        args.output or "stdout",
        {"format": args.format, "filtres": filters.describe(), "conversations": count},
    )
    print(f"{count} conversation(s) exportée(s).", file=sys.stderr)
    return 0


def purge_on_schedule(
    args: argparse.Namespace, settings: Settings, sleep: Callable[[float], None] | None = None
) -> int:
    """The retention promise kept without anyone thinking of it: purge now, then every
    ``--every`` hours until stopped (scripts/run.sh starts it with the stack). A failed run
    (database down) is reported and retried at the next tick, never fatal."""
    while True:
        try:
            purge_transcripts(args, settings)
        except Exception as error:  # the schedule must outlive one failure
            print(
                f"Purge impossible ({type(error).__name__}) : nouvel essai plus tard.",
                file=sys.stderr,
            )
        sys.stdout.flush()
        (sleep or time.sleep)(args.every * 3600)


def purge_transcripts(args: argparse.Namespace, settings: Settings) -> int:
    days = args.older_than or settings.retention_days
    from console.insights import summary

    engine = tracker.open_engine(settings.tracker_url, read_only=args.dry_run)
    store = staff.open_store(settings.database_url)
    try:
        result = tracker.purge(engine, days, dry_run=args.dry_run, now=datetime.now(timezone.utc))
        if not args.dry_run:  # the dashboard's summary forgets them too
            summary.create_tables(store)
            summary.forget_missing(store, engine)
    finally:
        engine.dispose()
    cutoff = result.cutoff.date().isoformat()
    if args.dry_run:
        print(
            f"Simulation : {result.conversations} conversation(s) ({result.events} événements) "
            f"sans activité depuis le {cutoff} seraient supprimées."
        )
    else:
        print(
            f"{result.conversations} conversation(s) ({result.events} événements) sans "
            f"activité depuis le {cutoff} supprimée(s)."
        )
    staff.record(
        store,
        _actor(),
        "purge_simulation" if args.dry_run else "purge",
        f"plus de {days} jours",
        {"conversations": result.conversations, "evenements": result.events},
    )
    return 0


def create_staff(args: argparse.Namespace, settings: Settings) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Mot de passe : ")
        if getpass.getpass("Confirmez le mot de passe : ") != password:
            print("Les deux mots de passe diffèrent.", file=sys.stderr)
            return 1
    from console.app import make_hasher

    store = staff.open_store(settings.database_url)
    try:
        staff.create_staff(store, make_hasher(), args.login, password)
    except staff.StaffError as error:
        print(str(error), file=sys.stderr)
        return 1
    staff.record(store, _actor(), "compte_cree", args.login)
    print(f"Compte « {args.login} » créé.")
    return 0


def show_insights(args: argparse.Namespace, settings: Settings) -> int:
    """The dashboard's figures (console/insights), refreshed from the tracker store first."""
    from console.insights import clusters, report, summary, tables

    default = report.Period.default()
    period = report.Period(args.since or default.since, args.until or default.until, args.channel)
    errors = period.errors()
    if errors:
        print(" ".join(errors), file=sys.stderr)
        return 2
    store = staff.open_store(settings.database_url)
    summary.create_tables(store)
    source = tracker.open_engine(settings.tracker_url, read_only=True)
    try:
        refreshed = summary.refresh(store, source, settings.pseudonym_key)
        if args.refresh_only:
            print(f"{refreshed.conversations} conversation(s) mise(s) à jour.")
            return 0
        found = report.build(store, period)
    finally:
        source.dispose()
    groups = clusters.described(clusters.group_messages(found.misunderstood))
    if args.json:
        data = {**found.as_dict(), "not_understood_groups": groups}
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        text = tables.to_csv(found, groups) if args.csv else tables.to_text(found, groups)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as target:
            target.write(text)
    else:
        sys.stdout.write(text)
    shape = "json" if args.json else "csv" if args.csv else "texte"
    staff.record(store, _actor(), "tableau_de_bord", args.output or "stdout",
                 {"format": shape, "periode": period.describe()})  # fmt: skip
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingError as error:
        print(f"Configuration invalide : {error}", file=sys.stderr)
        return 2
    if args.group == "staff":
        return create_staff(args, settings)
    if args.group == "privacy":
        return privacy_scan.run(args, settings)
    if args.group == "insights":
        return show_insights(args, settings)
    if args.command == "export":
        return export_transcripts(args, settings)
    if args.every:
        return purge_on_schedule(args, settings)
    return purge_transcripts(args, settings)


if __name__ == "__main__":
    sys.exit(main())
