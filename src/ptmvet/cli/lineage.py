"""``ptmvet lineage MODEL``: the base-model chain of a model, with the licence at each hop."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ptmvet.cli._common import add_format_option, emit, progress_bar, render
from ptmvet.errors import ExitCode, HubError, ModelNotFound, UsageError
from ptmvet.formats import choices

if TYPE_CHECKING:
    from ptmvet.licenses.lineage import ModelRecord, Resolver

FORMATS = choices("lineage")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "lineage",
        help="follow a model's base_model chain and compare the licence at each hop",
        description=(
            "Follow base_model links (finetune, adapter, merge, quantized) through the Hub, a mining database "
            "(--registry) or a metadata dump (--dump); report cycles, missing ancestors and derived licences "
            "that drop an ancestor's restrictions."
        ),
    )
    p.add_argument("model", help="org/name, or a model folder whose card names its base_model")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--registry", type=Path, dest="registry_db", help="a ptmvet registry database (DuckDB)")
    src.add_argument("--dump", type=Path, help="a Hub models listing (.jsonl or .jsonl.gz), e.g. hf_models_list_2024-07.jsonl.gz")
    p.add_argument("--datasets", type=Path, help="the datasets listing for dataset licences (default: next to --dump)")
    p.add_argument("--offline", action="store_true", default=None, help="never contact the Hub (also set by HF_HUB_OFFLINE=1)")
    p.add_argument("--max-depth", type=int, default=16, help="hops to follow at most (default: 16)")
    add_format_option(p, FORMATS)
    p.set_defaults(func=run)


def _resolver(args: argparse.Namespace) -> Resolver:
    import os

    # The licence and registry modules are imported after the Hub probe below: without a
    # network, the command fails in well under a second instead of importing them first.
    if args.registry_db is not None:
        from ptmvet.licenses.resolvers import DuckDBResolver

        return DuckDBResolver(args.registry_db)
    if args.dump is not None:
        from ptmvet.licenses.resolvers import DumpResolver

        return DumpResolver(args.dump, args.datasets)
    from ptmvet.sources.reach import require_hub

    hint = "pass --dump listing.jsonl.gz or --registry hub.duckdb"
    if args.offline:  # asked for offline work and gave nothing to work from: the command line is at fault
        raise UsageError("--offline and no registry data given", hint=hint)
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on"):
        raise HubError("lineage needs the Hub or registry data, and offline mode is on (HF_HUB_OFFLINE=1)", hint=hint)
    require_hub("lineage", hint="check the network, or " + hint)
    from ptmvet.licenses.resolvers import HubResolver

    return HubResolver()


def _root(model: str, resolver: Resolver) -> ModelRecord:
    path = Path(model).expanduser()
    if path.is_dir():
        from ptmvet.enrich.licenses import root_record
        from ptmvet.sources import collect

        return root_record(collect(str(path), offline=True))
    found = resolver.models([model])
    record = found.get(model.lower())
    if record is None:
        raise ModelNotFound(f"{model}: not found in {resolver.name}", path=model)
    return record


def run(args: argparse.Namespace) -> int:
    if args.max_depth < 1:
        raise UsageError("--max-depth must be at least 1")
    resolver = _resolver(args)
    from ptmvet.licenses.lineage import build_lineage

    root = _root(args.model, resolver)
    with progress_bar(f"lineage of {args.model}") as progress:
        lin = build_lineage(root, resolver, max_depth=args.max_depth, progress=progress)
    emit(render(lin, args.format), args.output)
    return int(ExitCode.OK)
