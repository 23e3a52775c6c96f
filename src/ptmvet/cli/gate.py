"""``ptmvet gate MODEL --policy policy.yaml [--stage pilot]``: a pass/fail decision for CI."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from ptmvet.cli._common import add_format_option, add_offline_option, emit, progress_bar, render
from ptmvet.cli.check import add_vet_options, options_from, vet_with_progress
from ptmvet.cli.log_cmd import add_trail_options, record_decision
from ptmvet.errors import ExitCode, InputError
from ptmvet.formats import choices
from ptmvet.policy import GateResult, Policy, SchemaFit, gate
from ptmvet.report import Report


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "gate",
        help="decide pass or fail under a policy (exit code 1 on fail)",
        description="Vet a model and apply a policy (at one of its stages with --stage). Exit 0 on pass, 1 on fail; "
        "with --format sarif the exit code is 0 unless ptmvet itself fails, so the SARIF upload step still runs. "
        "Each decision is appended to the audit trail (`ptmvet log`).",
    )
    p.add_argument("model", help="folder, or org/name[@revision]")
    p.add_argument("--policy", "-p", default="default", help="policy file, or a preset: default, strict, research")
    add_stage_options(p)
    add_format_option(p, choices("gate"))
    add_offline_option(p)
    add_vet_options(p)
    add_trail_options(p)
    p.add_argument("--docs-url", type=_docs_url, metavar="URL",
                   help="with --format sarif: the URL of ptmvet's docs/ folder that rules link their check pages under "
                   "(default: PTMVET_DOCS_URL, else the Documentation URL of the installed ptmvet)")
    p.set_defaults(func=run)


def _docs_url(text: str) -> str:
    from ptmvet.errors import UsageError
    from ptmvet.formats.sarif import check_docs_url

    try:
        return check_docs_url(text, source="--docs-url")
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def add_stage_options(p: argparse.ArgumentParser) -> None:
    """--stage and --schema-data (shared by gate and attest)."""
    p.add_argument("--stage", help="apply this stage of the policy (e.g. pilot, production), earlier stages included")
    p.add_argument("--schema-data", type=Path, metavar="FILE",
                   help="your data (CSV/TSV/JSONL/Parquet/folder): check that it fits the model (the schema-fit requirement)")


def schema_fit_for(report: Report, data: Path | None) -> SchemaFit | None:
    """Check the user's data against the vetted package (None when no data was given)."""
    if data is None:
        return None
    if not report.target.local_path:
        raise InputError(f"{report.target.name}: no local copy to check --schema-data against", hint="download the model first")
    from ptmvet.evaluate.schema import check_schema

    with progress_bar("checking data") as progress:
        fit = check_schema(Path(report.target.local_path), data, progress=progress)
    return SchemaFit(fits=fit.fits, data=str(data), problems=tuple(str(p) for p in fit.problems))


def decide(args: argparse.Namespace) -> GateResult:
    """Load the policy (at --stage), vet the model and apply the gate."""
    policy = Policy.load(args.policy)
    if args.stage:
        policy = policy.for_stage(args.stage)
    # Identity and issuer given on the command line are what the gate requires, like the policy's.
    policy = replace(
        policy,
        signer_identity=getattr(args, "signature_identity", None) or policy.signer_identity,
        signer_issuer=getattr(args, "signature_issuer", None) or policy.signer_issuer,
    )
    if args.schema_data is not None and not args.schema_data.exists():
        raise InputError(f"{args.schema_data}: --schema-data does not exist", path=str(args.schema_data))
    report = vet_with_progress(args.model, options_from(args, policy), policy)
    return gate(report, policy, schema_fit=schema_fit_for(report, args.schema_data))


def run(args: argparse.Namespace) -> int:
    result = decide(args)
    emit(render(result, args.format, **({"docs_base": args.docs_url} if args.docs_url else {})), args.output)
    if not args.no_log:
        from ptmvet.trail import weights_digest_of

        local = result.report.target.local_path
        record_decision(args, command="gate", result=result, weights_digest=weights_digest_of(Path(local)) if local and not args.no_hash else None)
    if args.format == "sarif":
        return int(ExitCode.OK)
    return int(ExitCode.OK if result.passed else ExitCode.FAILED)
