"""``ptmvet reproduce MODEL``: re-measure the performance a model claims.

Claims come from ``--claim`` (``DATASET[:CONFIG][/SPLIT]:METRIC=VALUE``),
``--claims FILE`` (docs/claims-file.md) or, when neither is given, the card's
``model-index`` and ``.eval_results/``. Data comes from ``--data FILE``
(used for every claim), ``--data-dir DIR`` (matched by dataset name, config
and split) or the local HF datasets cache.

Exit codes: 0 no claim is overstated; 1 at least one claim is overstated (or,
with ``--strict``, could not be verified or has a suspect label map); 2 bad usage or no claim at all;
3 the model or a data file cannot be read.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ptmvet.cli._common import add_format_option, emit, progress_bar, render
from ptmvet.errors import ExitCode, InputError, UsageError
from ptmvet.formats import choices


def add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--column", action="append", default=[], metavar="ROLE=COLUMN",
                   help="name the column for a role (text, sentence1, sentence2, label, score, tokens, tags, image); repeatable")
    p.add_argument("--split", help="split of a save_to_disk or cached dataset (default: the claim's, else test)")
    p.add_argument("--task", help="override the task (text-classification, token-classification, sentence-similarity, "
                   "image-classification, tabular-classification, tabular-regression)")
    p.add_argument("--batch-size", type=int, help="rows per forward pass (default: chosen from the device's free memory)")
    p.add_argument("--device", default="cpu", choices=("cpu", "cuda", "mps", "auto"),
                   help="where the model runs: cpu (default), cuda, mps, or auto (the first of cuda, mps, cpu present)")
    p.add_argument("--threads", type=int, help="torch CPU threads (default: the idle CPUs this process may use)")
    p.add_argument("--max-length", type=int, help="truncate inputs to this many tokens (default: the tokenizer's maximum)")
    p.add_argument("--allow-pickle", action="store_true",
                   help="load pickle-only weights with torch.load(weights_only=True) instead of refusing them")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "reproduce",
        help="re-measure the performance a model card claims on local data",
        description="Run the model on local data for each claim, with a bootstrap confidence interval. "
        "Exit 0 when no claim is overstated, 1 when one is (or with --strict, when one cannot be verified), "
        "2 on bad usage or when there is no claim, 3 when the model or data cannot be read.",
    )
    p.add_argument("model", metavar="MODEL", help="model folder, or org/name[@rev] in the HF cache")
    p.add_argument("--claim", action="append", default=[], metavar="SPEC",
                   help="a claim, [TASK@]DATASET[:CONFIG][/SPLIT]:METRIC=VALUE, e.g. stsb:spearman=82.03; repeatable")
    p.add_argument("--claims", type=Path, metavar="FILE", help="claims YAML file (docs/claims-file.md)")
    p.add_argument("--data", type=Path, metavar="FILE", help="data for every claim: CSV/TSV/JSONL/Parquet, save_to_disk folder")
    p.add_argument("--data-dir", type=Path, metavar="DIR", help="folder of datasets matched to claims by name, config and split")
    p.add_argument("--tolerance", type=float, help="minimum tolerance in the claim's units (default: 1 point, or 1%% for errors)")
    p.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples (default: 1000)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default: 0)")
    p.add_argument("--split-size", type=int, metavar="ROWS",
                   help="rows of the claimed split, for a dataset the table of known split sizes lacks: "
                   "data with fewer rows is measured as a sample (value indicative, claim not verified)")
    p.add_argument("--strict", action="store_true", help="exit 1 when a claim cannot be verified (or its label map is suspect)")
    add_run_options(p)
    add_format_option(p, choices("reproduce"))
    p.set_defaults(func=run)


def parse_columns(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        role, eq, col = item.partition("=")
        if not eq or not role.strip() or not col:
            raise UsageError(f"bad --column {item!r}: expected ROLE=COLUMN, e.g. --column text=review")
        out[role.strip()] = col
    return out


def resolve_model(ref: str) -> tuple[Path, str | None, Any]:
    """(local folder, revision, evidence) of a model reference."""
    from ptmvet.errors import InputError
    from ptmvet.sources import collect

    evidence = collect(ref, offline=True)
    local = evidence.target.local_path
    if not local:
        raise InputError(f"{ref}: the model is not available locally", path=ref, hint="download it first, or pass its folder")
    return Path(local), evidence.target.revision, evidence


def run(args: argparse.Namespace) -> int:
    from ptmvet.cardinfo import measurable_claims
    from ptmvet.evaluate.claims import ClaimSpec, load_claims_file, parse_claim
    from ptmvet.evaluate.remeasurement import Remeasurement
    from ptmvet.evaluate.runner import ReproduceOptions, reproduce
    from ptmvet.evaluate.tasks.interface import RunOptions

    specs: list[ClaimSpec] = [ClaimSpec(parse_claim(c)) for c in args.claim]
    if args.claims:
        specs.extend(load_claims_file(args.claims))
    model_path, revision, evidence = resolve_model(args.model)
    if not specs:
        specs = [ClaimSpec(c) for c in measurable_claims(evidence)]
    if not specs:
        raise UsageError(f"{args.model}: the card states no claim that can be re-measured (none in model-index, .eval_results or its text); pass --claim or --claims")
    if args.data is not None:
        # Data the user names explicitly must open: unreadable data is an input
        # error (exit 3), not a claim that merely cannot be verified.
        from ptmvet.evaluate.datasets import open_dataset

        open_dataset(args.data, split=args.split)
    if args.data_dir is not None and not Path(args.data_dir).is_dir():
        raise InputError(f"{args.data_dir}: not a folder", path=str(args.data_dir))
    if args.device != "cpu":  # a device this machine lacks is bad usage (exit 2), not a claim that cannot be verified
        from ptmvet.evaluate.tasks.interface import resolve_device

        resolve_device(args.device)
    options = ReproduceOptions(
        resamples=args.resamples,
        seed=args.seed,
        tolerance=args.tolerance,
        task=args.task,
        split=args.split,
        columns=parse_columns(args.column),
        split_size=args.split_size,
        run=RunOptions(batch_size=args.batch_size, device=args.device, threads=args.threads, allow_pickle=args.allow_pickle,
                       max_length=args.max_length, seed=args.seed),
    )
    with progress_bar("re-measuring") as progress:
        ms = reproduce(model_path, specs, data=args.data, data_dir=args.data_dir, options=options, progress=progress, revision=revision)
    result = Remeasurement.of(args.model, ms)
    emit(render(result, args.format), args.output)
    if result.overstated:
        return int(ExitCode.FAILED)
    if args.strict and (result.not_verifiable or result.label_map_suspect):
        return int(ExitCode.FAILED)
    return int(ExitCode.OK)
