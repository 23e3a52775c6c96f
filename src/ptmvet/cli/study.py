"""``ptmvet study``: the study's tables and charts from one mined database, or the trend between two."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from ptmvet.cli._common import emit, render, say, write_atomic
from ptmvet.errors import ExitCode, UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "study",
        help="the registry study's tables (claims by task, datasets, architectures, cards, licences, signing, popularity)",
        description="Compute the study's tables from a database written by `ptmvet mine`, by the ICSE'23 paper's "
        "rules (each table states its rule). Every `ptmvet mine` run that reads model records is a snapshot; "
        "the study describes the latest one. For the trend of every table between two snapshots, on a basis both "
        "measure: --trend (the two latest snapshots of one database), --snapshot OLD --snapshot NEW (two of one "
        "database), or --db OLD --db NEW (the latest snapshot of each of two databases).",
    )
    p.add_argument("--db", type=Path, required=True, action="append", help="the DuckDB database (twice: old, then new)")
    p.add_argument("--snapshot", type=int, action="append", metavar="ID",
                   help="study this snapshot (a mine run's run_id) instead of the latest; twice (older first): the trend between them")
    p.add_argument("--trend", action="store_true", help="the trend from the previous snapshot of the database to its latest")
    p.add_argument("--list-snapshots", action="store_true", help="list the database's snapshots and exit")
    p.add_argument("--html", type=Path, help="write one self-contained HTML page with charts")
    p.add_argument("--json", type=Path, metavar="FILE", help="write every table in one JSON document (schemas/study.schema.json)")
    p.add_argument("--csv", type=Path, metavar="DIR", help="write one CSV per table into DIR")
    p.add_argument("--parquet", type=Path, metavar="DIR", help="write one Parquet file per table into DIR")
    p.add_argument("--quiet", "-q", action="store_true", help="do not print the tables")
    p.add_argument("--format", "-f", choices=("terminal", "json"), default="terminal", help="tables as text or JSON (default: terminal)")
    p.add_argument("--output", "-o", type=Path, help="write the tables (or JSON) here instead of standard output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ptmvet.registry.store import open_store
    from ptmvet.registry.study import compute_study, trend, write_csv, write_parquet

    if len(args.db) > 2:
        raise UsageError("--db: give one database, or two (old, then new) for a trend")
    picks = args.snapshot or []
    if len(args.db) == 2 and (picks or args.trend):
        raise UsageError("--snapshot/--trend pick snapshots of one database; with two --db each side is its latest snapshot")
    if len(picks) > 2 or (args.trend and picks):
        raise UsageError("give --trend, or --snapshot once (one snapshot) or twice (old, then new)")
    if args.list_snapshots:
        with open_store(args.db[0], read_only=True) as store:
            snaps = store.snapshots()
        emit("".join(f"{s.run_id}\t{s.source}\t{s.started_at[:19]}\t{'kept' if s.frozen else 'latest'}\n" for s in snaps)
             or f"{args.db[0]}: no snapshot (no finished mine run)\n", args.output)
        return int(ExitCode.OK)
    studies = []
    if len(args.db) == 2:
        for db in args.db:
            with open_store(db, read_only=True) as store:
                studies.append(compute_study(store))
    else:
        with open_store(args.db[0], read_only=True) as store:
            if args.trend:
                ids = [s.run_id for s in store.snapshots()]
                if len(ids) < 2:
                    raise UsageError(f"--trend: {args.db[0]} holds {len(ids)} snapshot(s); mine into it again first, "
                                     "or compare two databases with --db OLD --db NEW")
                picks = ids[-2:]
            if len(picks) == 2 and picks[0] >= picks[1]:
                raise UsageError("--snapshot: give the older snapshot first")
            for snap in picks or [None]:
                studies.append(compute_study(store, snapshot=snap))
    study = studies[-1]
    if len(studies) == 2:
        study = dataclasses.replace(study, trend=trend(studies[0], study))
    if args.format == "json":
        emit(render(study, "json"), args.output)
    elif not args.quiet:
        emit(render(study, "terminal"), args.output)
    if args.csv:
        say(f"wrote {len(write_csv(study, args.csv))} CSV files to {args.csv}")
    if args.parquet:
        say(f"wrote {len(write_parquet(study, args.parquet))} Parquet files to {args.parquet}")
    if args.json:
        write_atomic(args.json, render(study, "json"))
        say(f"wrote {args.json}")
    if args.html:
        write_atomic(args.html, render(study, "html"))
        say(f"wrote {args.html}")
    return int(ExitCode.OK)
