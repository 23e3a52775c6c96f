"""``ptmvet mine``: mine a registry (the Hub or a dump) into a DuckDB database."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ptmvet.cli._common import progress_bar, render, say
from ptmvet.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from ptmvet.progress import Progress
    from ptmvet.registry.store import Store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "mine",
        help="mine a model registry (Hub listing or dump) into a database",
        description="Stream a registry into DuckDB. Idempotent and resumable: run the same command again "
        "after an interruption and it continues where it stopped.",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--from-hub", action="store_true", help="list models on the Hub (with expanded fields)")
    src.add_argument(
        "--from-dump",
        type=Path,
        nargs="+",
        metavar="PATH",
        help=".jsonl[.gz] listings, model_info .json files or pages, .zip archives of them, or folders",
    )
    src.add_argument(
        "--from-git",
        type=Path,
        metavar="DIR",
        help="git repositories laid out as DIR/org/name or DIR/name (bare or not): every commit and its signature",
    )
    p.add_argument("--cards", type=Path, nargs="+", default=[], metavar="PATH", help="model cards: tarball or folder")
    p.add_argument("--db", type=Path, required=True, help="the DuckDB database file (created when missing)")
    p.add_argument("--limit", type=int, help="at most this many models (--from-hub), or records read from the dumps (--from-dump)")
    p.add_argument("--filter", action="append", default=[], help="with --from-hub: Hub filter (repeatable)")
    p.add_argument(
        "--allowed-signers",
        type=Path,
        metavar="FILE",
        help="with --from-git: git's allowed-signers file, to verify SSH signatures (GPG uses your keyring/GNUPGHOME)",
    )
    p.add_argument(
        "--clone",
        type=Path,
        metavar="DIR",
        help="with --from-hub/--from-dump: bare-clone the mined models' repositories (no LFS content) into "
        "DIR/org/name, then read their history as --from-git does; resumes by skipping clones already there",
    )
    p.add_argument("--clone-interval", type=float, default=1.0, metavar="S", help="with --clone: seconds between clones (default 1)")
    p.add_argument("--batch-size", type=int, default=None, help="records per transaction")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit must be at least 1")
    if args.from_hub:
        from ptmvet.sources.reach import require_hub

        # Before the database exists and before DuckDB and the miners are imported: without a
        # network, fail in well under a second and leave nothing behind.
        require_hub("mine --from-hub", hint="check the network, or mine a dump with --from-dump")
    from ptmvet.registry.store import open_store

    if args.from_git is not None:
        from ptmvet.registry.gitmine import mine_git

        with open_store(args.db) as store, progress_bar("reading repositories") as progress:
            git_stats = mine_git(store, args.from_git, allowed_signers=args.allowed_signers, progress=progress)
        say(render(git_stats, "terminal"))
        return int(ExitCode.OK)
    with open_store(args.db) as store, progress_bar("mining") as progress:
        if args.from_hub:
            from ptmvet.registry.hub import mine_hub

            stats = mine_hub(store, limit=args.limit, filters=tuple(args.filter), progress=progress)
        else:
            from ptmvet.registry.ingest import BATCH_RECORDS, mine_dump

            stats = mine_dump(
                store,
                args.from_dump,
                cards=args.cards,
                batch_size=args.batch_size or BATCH_RECORDS,
                progress=progress,
                limit=args.limit,
            )
        say(render(stats, "terminal"))
        if args.clone is not None:
            _clone(args, store, stats.run_id, progress)
    return int(ExitCode.OK)


def _clone(args: argparse.Namespace, store: Store, run_id: int, progress: Progress) -> None:
    from ptmvet.registry.clone import clone_models
    from ptmvet.registry.gitmine import mine_git

    if args.clone_interval < 0:
        raise UsageError("--clone-interval must not be negative")
    ids = [r[0] for r in store.con.execute(
        "SELECT model_id FROM models WHERE last_run = ? ORDER BY model_id", [run_id]).fetchall()]
    cloned = clone_models(store, ids, args.clone, run_id=run_id, interval=args.clone_interval, progress=progress)
    say(f"clones: {cloned.cloned:,} new, {cloned.present:,} already there, {len(cloned.failed):,} failed "
        "(kept in table git_repos; run again to retry)")
    for model_id, error in cloned.failed[:10]:
        say(f"  clone failed: {model_id}: {error}")
    if not cloned.cloned and not cloned.present:
        return
    say(render(mine_git(store, args.clone, allowed_signers=args.allowed_signers, progress=progress), "terminal"))
