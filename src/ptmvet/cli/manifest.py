"""``ptmvet manifest MODEL``: per-file sha256 and size, as deterministic JSON."""

from __future__ import annotations

import argparse
from pathlib import Path

from ptmvet.cli._common import emit, progress_bar, render
from ptmvet.errors import InputError
from ptmvet.integrity.manifest import build_manifest
from ptmvet.ref import ModelRef


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "manifest",
        help="hash every file of a model package into a manifest (sha256, size)",
        description="Hash every file of a model package (in parallel; .git skipped; symlinks leaving the folder not "
        "followed) into deterministic JSON. Digests are those model_signing and Git LFS record.",
    )
    p.add_argument("model", help="folder (or a single file), or org/name[@revision] from the HF cache")
    p.add_argument("--output", "-o", type=Path, help="write the manifest here (atomically) instead of standard output")
    p.add_argument("--workers", type=int, default=None, help="hashing threads (default: CPU count + 2)")
    p.add_argument("--exclude", action="append", default=[], metavar="PATH", help="package-relative path to leave out (repeatable)")
    p.set_defaults(func=run)


def local_root(model: str, revision: str | None = None) -> Path:
    """The local folder of a model reference: a path, or the HF cache snapshot of org/name[@rev]."""
    ref = ModelRef.parse(model, revision=revision)
    if ref.path is not None:
        return ref.path
    from ptmvet.sources import collect

    evidence = collect(ref, offline=True)
    if not evidence.target.local_path:
        raise InputError(f"{model}: no local copy to hash", hint="download it first (huggingface-cli download ...)")
    return Path(evidence.target.local_path)


def run(args: argparse.Namespace) -> int:
    root = local_root(args.model)
    if args.workers is not None and args.workers < 1:
        from ptmvet.errors import UsageError

        raise UsageError("--workers must be at least 1")
    with progress_bar("hashing") as progress:
        manifest = build_manifest(root, workers=args.workers, exclude=args.exclude, progress=progress)
    emit(render(manifest, "json"), args.output.expanduser() if args.output is not None else None)
    return 0
