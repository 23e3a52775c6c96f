"""``ptmvet verify-attestation MODEL --attestation F --key vetter.pub [--require-stage production]``.

Exit codes as ``verify``: 0 the attestation is authentic, matches the files and
vouches for the stage; 4 a signature, identity or file digest does not verify
(changed, added and removed files listed); 1 it is authentic but does not vouch
for what was asked (verdict fail, earlier stage, another policy, too old);
2 bad usage; 3 an input cannot be read.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ptmvet.cli._common import emit, progress_bar, render
from ptmvet.formats import choices


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "verify-attestation",
        help="check a vetting attestation: signatures, identities, file digests, stage and age",
        description="Verify a vetting attestation written by `ptmvet attest` for the files of MODEL. Exit 0 when it "
        "verifies and vouches for the stage; 4 when a signature, identity or file digest does not verify; 1 when it "
        "does not vouch for what was asked (fail verdict, earlier stage, other policy, too old); 2 usage; 3 unreadable.",
    )
    p.add_argument("model", help="folder, or org/name[@revision] in the HF cache")
    p.add_argument("--revision", "-r", help="revision of org/name (or use org/name@rev)")
    p.add_argument("--attestation", "-a", type=Path, required=True, help="the attestation (DSSE envelope JSON)")
    trust = p.add_argument_group("trust")
    trust.add_argument("--key", type=Path, action="append", default=[], help="a trusted vetter's public key (PEM), repeatable")
    trust.add_argument("--chain", type=Path, action="append", default=[], help="a trusted CA certificate (PEM), repeatable")
    trust.add_argument("--identity", action="append", default=[],
                       help="a signer that must be among the verified ones (certificate CN, e-mail or URI; or a key id), repeatable")
    trust.add_argument("--issuer", help="a certificate signer must be issued by this CA (its CN)")
    trust.add_argument("--signers", type=int, metavar="N", help="signatures that must verify (default: the policy stage's, else 1)")
    what = p.add_argument_group("what it must vouch for")
    what.add_argument("--require-stage", metavar="STAGE", help="the stage the attestation must be for (with --policy: or a later one)")
    what.add_argument("--policy", "-p", help="the policy it must have been made under (its digest must match)")
    what.add_argument("--max-age", metavar="AGE", help="refuse attestations older than this (e.g. 90d, 12h; default: the policy stage's)")
    p.add_argument("--format", "-f", choices=choices("verify-attestation"), default="terminal", help="verdict format (default: terminal)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ptmvet.attest.verify import AttestationCheck, NotVouched, parse_age, verify_attestation
    from ptmvet.cli.attest import resolve_root
    from ptmvet.errors import UsageError
    from ptmvet.integrity.errors import IntegrityMismatch, SignatureInvalid
    from ptmvet.policy import Policy

    if not args.key and not args.chain:
        raise UsageError("verify-attestation needs --key PUBLIC.pem or --chain CA.pem: whom do you trust?")
    if args.signers is not None and args.signers < 1:
        raise UsageError("--signers must be at least 1")
    policy = Policy.load(args.policy) if args.policy else None
    max_age = parse_age(args.max_age) if args.max_age else None
    root = resolve_root(args.model, args.revision)
    with progress_bar("hashing") as progress:
        try:
            verdict = verify_attestation(
                root, args.attestation, keys=args.key, cas=args.chain, identities=args.identity, issuer=args.issuer,
                min_signers=args.signers, require_stage=args.require_stage, policy=policy, max_age=max_age, progress=progress,
            )
        except (IntegrityMismatch, SignatureInvalid, NotVouched) as exc:
            emit(render(AttestationCheck.failed(str(args.attestation), exc), args.format))
            raise
    emit(render(AttestationCheck(str(args.attestation), verdict=verdict), args.format))
    return 0


__all__ = ["register", "run"]
