"""``ptmvet lineage MODEL``: the base-model chain of a model, with the licence at each hop."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ptmvet.cli._common import add_format_option, emit, progress_bar
from ptmvet.errors import ExitCode, ModelNotFound, UsageError
from ptmvet.evidence.lineage import Lineage
from ptmvet.licenses.classify import describe
from ptmvet.licenses.lineage import ModelRecord, Resolver, build_lineage
from ptmvet.licenses.resolvers import DuckDBResolver, DumpResolver, HubResolver

FORMATS = ("terminal", "json")


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

    if args.registry_db is not None:
        return DuckDBResolver(args.registry_db)
    if args.dump is not None:
        return DumpResolver(args.dump, args.datasets)
    offline = args.offline if args.offline is not None else os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on")
    if offline:
        raise UsageError("offline and no registry data given", hint="pass --dump listing.jsonl.gz or --registry hub.duckdb")
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


def render_terminal(lin: Lineage) -> str:
    """A plain-text tree of the lineage, then conflicts, cycles and missing ancestors."""
    by_id = {n.id.lower(): n for n in lin.nodes}
    parents: dict[str, list[tuple[str, str]]] = {}
    for e in lin.edges:
        parents.setdefault(e.child.lower(), []).append((e.parent, e.relation.value + ("?" if e.inferred else "")))

    def label(model_id: str) -> str:
        n = by_id.get(model_id.lower())
        if n is None:
            return model_id
        if not n.found:
            return f"{n.id}  [not found]"
        return f"{n.id}  [{n.license or 'no licence'} -> {n.spdx}; {describe(n.klass)}]"

    lines = [f"lineage of {lin.root} (source: {lin.source})", label(lin.root)]
    seen: set[str] = {lin.root.lower()}

    def walk(model_id: str, prefix: str) -> None:
        kids = parents.get(model_id.lower(), [])
        for i, (parent, rel) in enumerate(kids):
            last = i == len(kids) - 1
            repeat = parent.lower() in seen
            lines.append(f"{prefix}{'└─' if last else '├─'} {rel}: {label(parent)}" + ("  (seen above)" if repeat else ""))
            if not repeat:
                seen.add(parent.lower())
                walk(parent, prefix + ("   " if last else "│  "))

    walk(lin.root, "")
    if lin.skipped:
        lines.append(f"skipped: {lin.skipped}")
    if lin.conflicts:
        lines.append("")
        lines.append(f"licence conflicts ({len(lin.conflicts)}):")
        for c in lin.conflicts:
            mark = "!" if c.serious else "~"
            lines.append(f"  {mark} {c.child} ({c.child_license}) drops {', '.join(c.dropped)} of {c.ancestor} ({c.ancestor_license})")
    for cyc in lin.cycles:
        lines.append(f"cycle: {' -> '.join((*cyc, cyc[0]))}")
    if lin.missing:
        lines.append(f"missing ancestors: {', '.join(lin.missing)}")
    for named, found in lin.renamed:
        lines.append(f"renamed on the Hub: {named} -> {found} (looked up under the new id)")
    if lin.review:
        lines.append("needs review:")
        lines.extend(f"  ? {r}" for r in lin.review)
    if lin.datasets:
        lines.append("training datasets:")
        for d in lin.datasets:
            what = d.spdx if d.spdx else ("not found" if not d.found else "no licence")
            lines.append(f"  {d.id}: {what}" + (f" ({d.klass.family.value}, commercial use: {d.klass.commercial.value})" if d.klass else ""))
    if lin.truncated:
        lines.append("(truncated: the chain is longer than --max-depth)")
    if lin.unresolved:
        lines.append("look-ups failed: " + "; ".join(lin.unresolved[-2:]))
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    if args.max_depth < 1:
        raise UsageError("--max-depth must be at least 1")
    resolver = _resolver(args)
    root = _root(args.model, resolver)
    with progress_bar(f"lineage of {args.model}") as progress:
        lin = build_lineage(root, resolver, max_depth=args.max_depth, progress=progress)
    if args.format == "json":
        text = json.dumps({"schema_version": "1.0", "lineage": lin.to_section()}, indent=2)
    else:
        text = render_terminal(lin)
    emit(text, args.output)
    return int(ExitCode.OK)
