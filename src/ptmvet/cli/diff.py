"""``ptmvet diff OLD NEW``: what changed between two revisions of a model."""

from __future__ import annotations

import argparse

from ptmvet.cli._common import add_format_option, emit, render
from ptmvet.errors import ExitCode
from ptmvet.formats import choices


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "diff",
        help="compare two revisions of a model: files, licence, base model, claims, findings",
        description="OLD and NEW are model folders, org/name@revision (HF cache, else the Hub), JSON reports "
        "(ptmvet check -f json) or manifests (ptmvet manifest). Exit 1 when the weights or the licence changed, "
        "3 when a side cannot be read.",
    )
    p.add_argument("old", metavar="OLD")
    p.add_argument("new", metavar="NEW")
    p.add_argument("--offline", action="store_true", default=None, help="never contact the Hub (also HF_HUB_OFFLINE=1)")
    add_format_option(p, choices("diff"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ptmvet.diff import diff

    result = diff(args.old, args.new, offline=args.offline)
    emit(render(result, args.format), args.output)
    return int(ExitCode.FAILED if result.weights_changed or result.licence_changed else ExitCode.OK)
