"""``ptmvet checks list|explain``: the check catalogue."""

from __future__ import annotations

import argparse

from ptmvet.checks import lookup
from ptmvet.checks.catalogue import Catalogue
from ptmvet.cli._common import add_format_option, emit, render
from ptmvet.errors import ExitCode, UsageError
from ptmvet.formats import choices


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("checks", help="list the checks or explain one", description="The check catalogue.")
    inner = p.add_subparsers(dest="checks_command", metavar="SUBCOMMAND", required=True)
    lp = inner.add_parser("list", help="every check: id, slug, attribute, severity, summary")
    add_format_option(lp, choices("catalogue"))
    lp.add_argument("--width", type=int, default=None, help="wrap the terminal listing at this many columns (default: 80)")
    lp.set_defaults(func=run_list)
    ep = inner.add_parser("explain", help="print a check's doc page")
    ep.add_argument("check", help="check id (VET101) or slug")
    ep.set_defaults(func=run_explain)


def run_list(args: argparse.Namespace) -> int:
    emit(render(Catalogue.registered(), args.format, width=args.width), args.output)
    return int(ExitCode.OK)


def run_explain(args: argparse.Namespace) -> int:
    found = lookup(args.check)
    if found is None:
        raise UsageError(f"no check {args.check!r}", hint="`ptmvet checks list` shows every id and slug")
    from ptmvet.checks.docs import explain

    emit(explain(found.meta.id), None)
    return int(ExitCode.OK)
