"""``ptmvet study``: the study's tables and charts from a mined database."""

from __future__ import annotations

import argparse
from pathlib import Path

from ptmvet.cli._common import emit, render, say, write_atomic
from ptmvet.errors import ExitCode


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "study",
        help="the registry study's tables (claims by task, datasets, cards, licences, popularity)",
        description="Compute the study's tables from a database written by `ptmvet mine`.",
    )
    p.add_argument("--db", type=Path, required=True, help="the DuckDB database")
    p.add_argument("--html", type=Path, help="write one self-contained HTML page with charts")
    p.add_argument("--csv", type=Path, metavar="DIR", help="write one CSV per table into DIR")
    p.add_argument("--parquet", type=Path, metavar="DIR", help="write one Parquet file per table into DIR")
    p.add_argument("--quiet", "-q", action="store_true", help="do not print the tables")
    p.add_argument("--format", "-f", choices=("terminal", "json"), default="terminal", help="tables as text or JSON (default: terminal)")
    p.add_argument("--output", "-o", type=Path, help="write the tables (or JSON) here instead of standard output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ptmvet.registry.store import open_store
    from ptmvet.registry.study import compute_study, write_csv, write_parquet

    with open_store(args.db, read_only=True) as store:
        study = compute_study(store)
    if args.format == "json":
        emit(render(study, "json"), args.output)
    elif not args.quiet:
        emit(render(study, "terminal"), args.output)
    if args.csv:
        say(f"wrote {len(write_csv(study, args.csv))} CSV files to {args.csv}")
    if args.parquet:
        say(f"wrote {len(write_parquet(study, args.parquet))} Parquet files to {args.parquet}")
    if args.html:
        write_atomic(args.html, render(study, "html"))
        say(f"wrote {args.html}")
    return int(ExitCode.OK)
