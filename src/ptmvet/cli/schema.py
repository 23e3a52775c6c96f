"""``ptmvet schema MODEL --data FILE``: does this data fit this model?

Exit codes: 0 the data fits (warnings allowed, unless ``--strict``); 1 it does
not fit (missing columns or features, labels the model does not have,
non-numeric values, unreadable images; with ``--strict`` also any warning such
as truncated rows); 2 bad usage; 3 the model or the data cannot be read.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ptmvet.cli._common import add_format_option, emit, progress_bar, render
from ptmvet.errors import ExitCode
from ptmvet.formats import choices


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "schema",
        help="check that local data fits a model: columns, labels, text lengths, images, features",
        description="Read the data once (streamed) and compare it with what the model expects: column types and roles, "
        "the label set against the model's labels, token lengths against the tokenizer's maximum, image sizes and "
        "channels, and a scikit-learn model's feature names and count. Exit 0 when the data fits, 1 when it does not "
        "(with --strict, also when there is a warning such as truncated rows), 2 on bad usage, 3 when the model or "
        "data cannot be read.",
    )
    p.add_argument("model", metavar="MODEL", help="model folder or .skops file, or org/name[@rev] in the HF cache")
    p.add_argument("--data", type=Path, required=True, metavar="FILE",
                   help="CSV/TSV/JSONL/Parquet file, save_to_disk folder, or image folder")
    p.add_argument("--column", action="append", default=[], metavar="ROLE=COLUMN",
                   help="name the column for a role (text, sentence1, sentence2, label, score, tokens, tags, image); repeatable")
    p.add_argument("--task", help="override the task the model is used for")
    p.add_argument("--split", help="split of a save_to_disk folder")
    p.add_argument("--max-length", type=int, help="token limit to check against (default: the model's)")
    p.add_argument("--strict", action="store_true", help="exit 1 on warnings too (truncated rows, assumed label order)")
    add_format_option(p, choices("schema"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ptmvet.cli.reproduce import parse_columns, resolve_model
    from ptmvet.evaluate.schema import check_schema

    model = Path(args.model)
    if not model.exists():
        model, _, _ = resolve_model(args.model)
    with progress_bar("checking data") as progress:
        report = check_schema(model, args.data, columns=parse_columns(args.column), task=args.task, split=args.split,
                              max_length=args.max_length, progress=progress)
    emit(render(report, args.format), args.output)
    if not report.fits or (args.strict and report.warnings):
        return int(ExitCode.FAILED)
    return int(ExitCode.OK)
