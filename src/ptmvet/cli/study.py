"""``ptmvet study``: the study's tables and charts from a mined database."""

from __future__ import annotations

import argparse
from pathlib import Path

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
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from ptmvet.registry.store import open_store
    from ptmvet.registry.study import _fmt, compute_study, write_csv, write_html, write_parquet

    with open_store(args.db, read_only=True) as store:
        study = compute_study(store)
    console = Console(soft_wrap=False)
    if not args.quiet:
        for t in study.tables:
            table = Table(title=t.title, caption=t.note or None)
            for c in t.columns:
                table.add_column(c, overflow="fold")
            for r in t.rows:
                table.add_row(*(_fmt(v) for v in r))
            console.print(table)
    err = Console(stderr=True)
    if args.csv:
        err.print(f"wrote {len(write_csv(study, args.csv))} CSV files to {args.csv}", markup=False)
    if args.parquet:
        err.print(f"wrote {len(write_parquet(study, args.parquet))} Parquet files to {args.parquet}", markup=False)
    if args.html:
        err.print(f"wrote {write_html(study, args.html)}", markup=False)
    return int(ExitCode.OK)
