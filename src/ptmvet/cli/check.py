"""``ptmvet check MODEL``: the reuse report card for one model package."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ptmvet.checks.interface import Severity
from ptmvet.cli._common import add_format_option, add_offline_option, emit, progress_bar, render
from ptmvet.errors import ExitCode, InputError
from ptmvet.formats import choices
from ptmvet.pipeline import VetOptions, vet
from ptmvet.report import Report

if TYPE_CHECKING:
    from ptmvet.policy import Policy

USES = ("commercial", "research", "internal")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "check",
        help="vet one model package and print its report card",
        description="Vet a model package: a folder in Hub layout, or org/name[@revision] from the HF cache (offline) or the Hub.",
    )
    p.add_argument("model", help="folder, or org/name[@revision]")
    add_format_option(p, choices("report"))
    add_offline_option(p)
    add_vet_options(p)
    p.add_argument(
        "--policy",
        "-p",
        default="default",
        help="policy for the overall PASS/FAIL at the top of the report: a file, or a preset (default, strict, research)",
    )
    p.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity],
        help="exit 1 when a check fails with at least this severity, or when --only, --no-scan or --no-hash left something unchecked (default: never; use `ptmvet gate` for policies)",
    )
    p.set_defaults(func=run)


def add_vet_options(p: argparse.ArgumentParser, *, signature_prefix: str = "") -> None:
    """Options that shape a vetting run (shared by check, compare, bom, gate, attest).

    ``signature_prefix`` renames the signature trust options (``attest`` takes
    ``--key`` for its own signing key, so it offers ``--publisher-key`` etc.).
    """
    p.add_argument("--use", choices=USES, default="commercial", help="intended use; licence verdicts depend on it")
    p.add_argument("--data-dir", type=Path, help="local evaluation data to re-measure the card's claims")
    p.add_argument("--registry", type=Path, dest="registry_db", help="a mining database (DuckDB) for lineage")
    p.add_argument("--dump", type=Path, help="a Hub metadata dump (jsonl.gz) for lineage and registry facts")
    p.add_argument("--only", default="", help="comma-separated check ids to run (default: all); the others are reported as skipped and the verdict fails (not fully vetted)")
    p.add_argument("--no-scan", action="store_true", help="skip the static scan of weight files (the verdict then fails: not fully vetted)")
    p.add_argument("--no-hash", action="store_true", help="skip hashing local files and verifying their signature (the verdict then fails: not fully vetted)")
    sig = p.add_argument_group("signature (VET603; override the policy's signature block)")
    pre = f"--{signature_prefix}-" if signature_prefix else "--"
    sig.add_argument("--signature", type=Path, help="the signature file, when it is not the package's own model.sig")
    sig.add_argument(f"{pre}key", type=Path, dest="signature_key", help="trust anchor: the publisher's public key (PEM)")
    sig.add_argument(
        f"{pre}chain", type=Path, action="append", default=[], dest="signature_chain", help="trust anchor: CA certificate(s) (PEM), repeatable"
    )
    sig.add_argument(f"{pre}identity", dest="signature_identity", help="required signer identity (certificate SAN e-mail, URI, DNS name or CN)")
    sig.add_argument(f"{pre}issuer", dest="signature_issuer", help="required issuer of the signing certificate (DN, CN or organisation)")


def options_from(args: argparse.Namespace, policy: Policy | None = None) -> VetOptions:
    """The vetting options of a command line; a policy's claims tolerance applies to re-measurement."""
    # A mistyped --data-dir would otherwise only show up as "not verifiable" claims.
    if args.data_dir is not None and not args.data_dir.is_dir():
        raise InputError(f"{args.data_dir}: --data-dir is not a folder", path=str(args.data_dir))
    return VetOptions(
        revision=getattr(args, "revision", None),
        offline=getattr(args, "offline", None),
        intended_use=args.use,
        data_dir=args.data_dir,
        registry_db=args.registry_db,
        dump=args.dump,
        deep_scan=not args.no_scan,
        hash_files=not args.no_hash,
        checks=tuple(c.strip().upper() for c in args.only.split(",") if c.strip()),
        claims_tolerance=policy.claims_tolerance if policy is not None else None,
        signature=getattr(args, "signature", None),
        signature_key=getattr(args, "signature_key", None) or (policy.signature_key if policy is not None else None),
        signature_chain=tuple(getattr(args, "signature_chain", None) or (policy.signature_chain if policy is not None else ())),
        signature_identity=getattr(args, "signature_identity", None) or (policy.signer_identity if policy is not None else None),
        signature_issuer=getattr(args, "signature_issuer", None) or (policy.signer_issuer if policy is not None else None),
    )


def vet_with_progress(model: str, options: VetOptions, policy: Policy | None = None) -> Report:
    with progress_bar(f"vetting {model}") as progress:
        return vet(model, options, progress, policy=policy)


def run(args: argparse.Namespace) -> int:
    from ptmvet.policy import Policy

    policy = Policy.load(args.policy)
    report = vet_with_progress(args.model, options_from(args, policy), policy)
    color = args.output is None and args.format == "terminal" and sys.stdout.isatty()
    emit(render(report, args.format, color=color), args.output)
    if args.fail_on:
        floor = Severity(args.fail_on)
        if any(f.severity.rank >= floor.rank for f in report.failures):
            return int(ExitCode.FAILED)
        if report.not_vetted:
            # A check left out (--only) or switched off (--no-scan, --no-hash) cannot fail: --fail-on must not
            # read its silence as a pass.
            return int(ExitCode.FAILED)
    return int(ExitCode.OK)
