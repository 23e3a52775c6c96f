"""``ptmvet gate MODEL --policy policy.yaml``: a pass/fail decision for CI."""

from __future__ import annotations

import argparse
import json

from ptmvet.cli._common import add_format_option, add_offline_option, emit
from ptmvet.cli.check import add_vet_options, options_from, vet_with_progress
from ptmvet.errors import ExitCode
from ptmvet.formats.sarif import render_gate_sarif
from ptmvet.policy import GateResult, GateStatus, Policy, gate


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "gate",
        help="decide pass or fail under a policy (exit code 1 on fail)",
        description="Vet a model and apply a policy. Exit 0 on pass, 1 on fail; with --format sarif the exit "
        "code is 0 unless ptmvet itself fails, so the SARIF upload step still runs.",
    )
    p.add_argument("model", help="folder, or org/name[@revision]")
    p.add_argument("--policy", "-p", default="default", help="policy file, or a preset: default, strict, research")
    add_format_option(p, ("terminal", "json", "sarif"))
    add_offline_option(p)
    add_vet_options(p)
    p.set_defaults(func=run)


def render_terminal(result: GateResult) -> str:
    verdict = "PASS" if result.passed else "FAIL"
    lines = [f"{verdict}: {result.report.target.name} under policy {result.policy.name!r} ({result.policy.source})"]
    order = {GateStatus.FAIL: 0, GateStatus.WARN: 1, GateStatus.WAIVED: 2}
    for item in sorted(result.items, key=lambda i: order[i.status]):
        extra = f" [waived until {item.waiver.expires.isoformat()}: {item.waiver.reason}]" if item.status is GateStatus.WAIVED and item.waiver else ""
        lines.append(f"  {item.status.value:<6} {item.message}{extra}")
    if not result.items:
        lines.append("  no failing finding matters under this policy")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    policy = Policy.load(args.policy)
    report = vet_with_progress(args.model, options_from(args, policy))
    result = gate(report, policy)
    if args.format == "sarif":
        text = render_gate_sarif(result)
    elif args.format == "json":
        text = json.dumps(result.to_dict(), indent=2)
    else:
        text = render_terminal(result)
    emit(text, args.output)
    if args.format == "sarif":
        return int(ExitCode.OK)
    return int(ExitCode.OK if result.passed else ExitCode.FAILED)
