"""``ptmvet checks list|explain``: the check catalogue."""

from __future__ import annotations

import argparse
import json

from ptmvet.checks import all_meta, lookup
from ptmvet.cli._common import emit
from ptmvet.errors import ExitCode, UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("checks", help="list the checks or explain one", description="The check catalogue.")
    inner = p.add_subparsers(dest="checks_command", metavar="SUBCOMMAND", required=True)
    lp = inner.add_parser("list", help="every check: id, slug, attribute, severity, summary")
    lp.add_argument("--format", "-f", choices=("terminal", "json", "md"), default="terminal")
    lp.set_defaults(func=run_list)
    ep = inner.add_parser("explain", help="print a check's doc page")
    ep.add_argument("check", help="check id (VET101) or slug")
    ep.set_defaults(func=run_explain)


def run_list(args: argparse.Namespace) -> int:
    metas = list(all_meta())
    if args.format == "json":
        rows = [
            {"id": m.id, "slug": m.slug, "attribute": m.attribute.value, "severity": m.severity.value,
             "summary": m.summary, "needs": sorted(n.value for n in m.needs), "since": m.since}
            for m in metas
        ]  # fmt: skip
        emit(json.dumps(rows, indent=2), None)
    elif args.format == "md":
        lines = ["| id | slug | attribute | severity | summary |", "|---|---|---|---|---|"]
        lines += [f"| {m.id} | {m.slug} | {m.attribute.value} | {m.severity.value} | {m.summary} |" for m in metas]
        emit("\n".join(lines), None)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"{len(metas)} checks")
        for col in ("id", "slug", "attribute", "severity", "summary"):
            table.add_column(col, overflow="fold")
        for m in metas:
            table.add_row(m.id, m.slug, m.attribute.value, m.severity.value, m.summary)
        Console(soft_wrap=False).print(table)
    return int(ExitCode.OK)


def run_explain(args: argparse.Namespace) -> int:
    found = lookup(args.check)
    if found is None:
        raise UsageError(f"no check {args.check!r}", hint="`ptmvet checks list` shows every id and slug")
    from ptmvet.checks.docs import explain

    emit(explain(found.meta.id), None)
    return int(ExitCode.OK)
