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
        "rules (each table states its rule). Give --db twice (older first) for the trend of every table between "
        "two snapshots, on a basis both measure.",
    )
    p.add_argument("--db", type=Path, required=True, action="append", help="the DuckDB database (twice: old, then new)")
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
    studies = []
    for db in args.db:
        with open_store(db, read_only=True) as store:
            studies.append(compute_study(store))
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
