"""``ptmvet audit``: the metadata-level checks over every model of a mined database."""

from __future__ import annotations

import argparse
from pathlib import Path

from ptmvet.cli._common import emit, progress_bar, render, say
from ptmvet.errors import ExitCode, InputError
from ptmvet.formats import choices


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "audit",
        help="run the metadata-level checks over every model in a database",
        description="Audit every model whose current revision has no results for this check set yet; "
        "results go to tables check_results and scores.",
    )
    p.add_argument("--db", type=Path, required=True, help="the DuckDB database")
    p.add_argument("--engine", choices=("local", "ray"), default="local", help="local process pool or Ray")
    p.add_argument("--workers", type=int, help="worker processes (default: CPU count)")
    p.add_argument("--batch-size", type=int, default=500, help="models per task")
    p.add_argument("--rerun", action="store_true", help="audit every model again")
    p.add_argument("--limit", type=int, help="audit at most this many models")
    p.add_argument("--checks", help="checks to run as 'module:ATTR' (default: every registered check)")
    p.add_argument("--format", "-f", choices=choices("audit"), default="terminal",
                   help="terminal: one summary line on standard error; json: the run's counters on standard output")
    p.add_argument("--output", "-o", type=Path, help="write the JSON here instead of standard output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ptmvet.registry.engines import run_audit
    from ptmvet.registry.store import open_store

    # Auditing reads models a previous `ptmvet mine` wrote; opening a missing path
    # would silently create an empty database and report "0 models".
    if not args.db.is_file():
        raise InputError(f"{args.db}: no registry database here", path=str(args.db), hint="run `ptmvet mine` first")
    with open_store(args.db) as store, progress_bar("auditing") as progress:
        stats = run_audit(
            store,
            engine=args.engine,
            workers=args.workers,
            batch_size=args.batch_size,
            rerun=args.rerun,
            checks=args.checks,
            limit=args.limit,
            progress=progress,
        )
    if args.format == "json":
        emit(render(stats, "json"), args.output)
    else:
        say(render(stats, "terminal"))
    return int(ExitCode.OK)
