"""``ptmvet audit``: the metadata-level checks over every model of a mined database."""

from __future__ import annotations

import argparse
from pathlib import Path

from ptmvet.cli._common import emit, progress_bar, render, say
from ptmvet.errors import ExitCode, InputError, UsageError
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
    p.add_argument("--reproduce", action="store_true",
                   help="re-measure the claims of every model whose weights are in the local HF cache and whose claims "
                   "match data in --data-dir; results go to table measurements (see `ptmvet study`)")
    p.add_argument("--data-dir", type=Path, metavar="DIR", help="evaluation data for --reproduce, matched by dataset name and split")
    p.add_argument("--device", default="auto", choices=("cpu", "cuda", "mps", "auto"),
                   help="with --reproduce: where models run (auto: every GPU, one model per device, else the CPU)")
    p.add_argument("--resamples", type=int, default=1000, help="with --reproduce: bootstrap resamples (default: 1000)")
    p.add_argument("--allow-pickle", action="store_true", help="with --reproduce: load pickle-only weights with weights_only")
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
    if args.reproduce:
        return _reproduce(args)
    if args.data_dir is not None:
        raise UsageError("--data-dir is for --reproduce")
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


def _reproduce(args: argparse.Namespace) -> int:
    import json

    from ptmvet.registry.remeasure import run_remeasure
    from ptmvet.registry.store import open_store

    if args.data_dir is None or not args.data_dir.is_dir():
        raise UsageError("--reproduce needs --data-dir DIR, a folder of evaluation data")
    with open_store(args.db) as store, progress_bar("re-measuring") as progress:
        stats = run_remeasure(store, args.data_dir, engine=args.engine, workers=args.workers, device=args.device,
                              resamples=args.resamples, limit=args.limit, allow_pickle=args.allow_pickle, progress=progress)
    d = stats.to_dict()
    if args.format == "json":
        emit(json.dumps({"schema_version": 1, **d}, indent=2), args.output)
    else:
        say(f"re-measured {d['claims_measured']} claims of {d['models_measured']} models ({d['models_with_claims']} with claims: "
            f"{d['not_in_cache']} not in the HF cache, {d['no_local_data']} without local data) on {', '.join(d['devices'])} "
            f"in {d['seconds']:.1f}s; verdicts {d['verdicts']}; run {d['run_id']}")
    return int(ExitCode.OK)
