"""``ptmvet compare MODEL_A MODEL_B ...``: candidates side by side, ranked under a policy."""

from __future__ import annotations

import argparse

from ptmvet.cli._common import add_format_option, add_offline_option, emit, progress_bar, render
from ptmvet.cli.check import add_vet_options, options_from
from ptmvet.errors import ExitCode
from ptmvet.formats import choices


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "compare",
        help="compare candidate models side by side and rank them under a policy",
        description="Vet every candidate with the same options and rank them: candidates that pass the policy's "
        "gate first, then by the weighted mean of their assessed attribute scores, then by fewer high-severity "
        "failures. Exit 0 when the table was produced, whatever the ranking says.",
    )
    p.add_argument("models", nargs="+", metavar="MODEL", help="folders, or org/name[@revision]")
    p.add_argument("--policy", "-p", default="default", help="policy file, or a preset: default, strict, research")
    add_format_option(p, choices("compare"))
    add_offline_option(p)
    add_vet_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ptmvet.compare import compare
    from ptmvet.policy import Policy

    policy = Policy.load(args.policy)
    with progress_bar(f"comparing {len(args.models)} models") as progress:
        result = compare(args.models, options_from(args, policy), policy=policy, progress=progress)
    emit(render(result, args.format), args.output)
    return int(ExitCode.OK)
