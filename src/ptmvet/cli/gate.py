"""``ptmvet gate MODEL --policy policy.yaml``: a pass/fail decision for CI."""

from __future__ import annotations

import argparse
from dataclasses import replace

from ptmvet.cli._common import add_format_option, add_offline_option, emit, render
from ptmvet.cli.check import add_vet_options, options_from, vet_with_progress
from ptmvet.errors import ExitCode
from ptmvet.formats import choices
from ptmvet.policy import Policy, gate


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "gate",
        help="decide pass or fail under a policy (exit code 1 on fail)",
        description="Vet a model and apply a policy. Exit 0 on pass, 1 on fail; with --format sarif the exit "
        "code is 0 unless ptmvet itself fails, so the SARIF upload step still runs.",
    )
    p.add_argument("model", help="folder, or org/name[@revision]")
    p.add_argument("--policy", "-p", default="default", help="policy file, or a preset: default, strict, research")
    add_format_option(p, choices("gate"))
    add_offline_option(p)
    add_vet_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    policy = Policy.load(args.policy)
    # Identity and issuer given on the command line are what the gate requires, like the policy's.
    policy = replace(
        policy,
        signer_identity=args.signature_identity or policy.signer_identity,
        signer_issuer=args.signature_issuer or policy.signer_issuer,
    )
    report = vet_with_progress(args.model, options_from(args, policy))
    result = gate(report, policy)
    emit(render(result, args.format), args.output)
    if args.format == "sarif":
        return int(ExitCode.OK)
    return int(ExitCode.OK if result.passed else ExitCode.FAILED)
