"""``ptmvet attest MODEL --policy P --stage S --key K -o model.vetting.json``: a signed vetting attestation.

Vets the model, applies the policy at the stage, and writes an in-toto
Statement (subjects: the package's files with their SHA-256; predicate: the
decision) in a DSSE envelope signed with a local key or a certificate chain.
``--add-signature FILE`` instead adds a co-signer's signature to an existing
attestation, after checking that the files are still the attested ones.
Exit 0 when the verdict is pass, 1 when it is fail (the attestation is written
either way and records the verdict; ``verify-attestation`` refuses a fail).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from ptmvet.attest.result import Attested
from ptmvet.cli._common import add_offline_option, emit, progress_bar, render, say, write_atomic
from ptmvet.cli.check import add_vet_options
from ptmvet.cli.gate import add_stage_options, decide
from ptmvet.cli.log_cmd import add_trail_options, record_decision
from ptmvet.errors import ExitCode, InputError, UsageError
from ptmvet.formats import choices


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "attest",
        help="vet a model under a policy stage and write a signed vetting attestation (in-toto, DSSE)",
        description="Vet a model, apply the policy (at --stage), and write an in-toto Statement v1 about its files "
        "in a DSSE envelope signed with --key (and --cert/--chain). With --add-signature, add a co-signer's "
        "signature to an existing attestation instead. Exit 0 when the verdict is pass, 1 when it is fail.",
    )
    p.add_argument("model", help="folder, or org/name[@revision] in the HF cache")
    p.add_argument("--policy", "-p", default="default", help="policy file, or a preset: default, strict, research")
    add_stage_options(p)
    keys = p.add_argument_group("signing (the key kinds of `ptmvet sign`)")
    keys.add_argument("--key", type=Path, required=True, help="private key (PEM; EC P-256/P-384/P-521)")
    keys.add_argument("--cert", type=Path, help="signing certificate (PEM) for --key; it travels in the attestation")
    keys.add_argument("--chain", type=Path, action="append", default=[], help="intermediate certificate (PEM) to include, repeatable")
    keys.add_argument("--password-env", metavar="VAR", help="read the private key's password from this environment variable")
    p.add_argument("--add-signature", type=Path, metavar="ATTESTATION",
                   help="co-sign this existing attestation (the files must still match it) instead of vetting again")
    p.add_argument("--output", "-o", type=Path, help="attestation file (default: NAME.vetting.json here; with --add-signature, that file)")
    p.add_argument("--format", "-f", choices=choices("attest"), default="terminal", help="summary format (default: terminal)")
    add_offline_option(p)
    add_vet_options(p, signature_prefix="publisher")
    add_trail_options(p)
    p.set_defaults(func=run)


def _password(args: argparse.Namespace) -> str | None:
    if not args.password_env:
        return None
    value = os.environ.get(args.password_env)
    if value is None:
        raise UsageError(f"--password-env {args.password_env}: the variable is not set")
    return value


def default_output(name: str) -> Path:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "--", name.strip("/").replace("/", "--")) or "model"
    return Path(f"{stem}.vetting.json")


def _text(envelope: dict[str, Any]) -> str:
    """The envelope file's text (stable key order, so its digest in the trail can be recomputed)."""
    return json.dumps(envelope, indent=2, sort_keys=True) + "\n"


def run(args: argparse.Namespace) -> int:
    if args.add_signature is not None:
        return _cosign(args)
    from ptmvet.attest import build_statement, sign_statement
    from ptmvet.integrity.manifest import build_manifest
    from ptmvet.trail import weights_digest

    result = decide(args)
    local = result.report.target.local_path
    if not local or not Path(local).is_dir():
        raise InputError(f"{args.model}: no local folder to attest", hint="attest a folder, or a model in the HF cache")
    root = Path(local)
    out = args.output or default_output(result.report.target.name)
    exclude = [".git"]
    rel = _inside(out, root)
    if rel:
        exclude.append(rel)
    with progress_bar("hashing") as progress:
        manifest = build_manifest(root, exclude=exclude, progress=progress)
    if not manifest.entries:
        raise InputError(f"{root}: no file to attest", path=str(root))
    wdigest = weights_digest(manifest.digests())
    statement = build_statement(result, manifest, model_ref=str(args.model), intended_use=args.use, weights_digest=wdigest)
    envelope = sign_statement(statement, key=args.key, cert=args.cert, chain=args.chain, password=_password(args))
    text = _text(envelope)
    write_atomic(out, text)
    record_decision(
        args, command="attest", result=result, weights_digest=wdigest,
        attestation_digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
    emit(render(Attested(
        path=str(out), model=result.report.target.name, files=len(manifest.entries), verdict="pass" if result.passed else "fail",
        stage=result.stage, policy=result.policy.name, signatures=1, signer_keyid=envelope["signatures"][0]["keyid"],
        items=tuple(f"{i.status.value:<6} {i.message}" for i in result.items),
    ), args.format))
    return int(ExitCode.OK if result.passed else ExitCode.FAILED)


def _inside(path: Path, root: Path) -> str | None:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def _cosign(args: argparse.Namespace) -> int:
    from ptmvet.attest import add_signature, compare_subjects, read_envelope, validate_statement
    from ptmvet.attest.dsse import payload_of

    if args.stage or args.schema_data or args.policy != "default":
        raise UsageError("--add-signature co-signs the attestation as it is; --policy, --stage and --schema-data do not apply")
    root = resolve_root(args.model, getattr(args, "revision", None))
    envelope = read_envelope(args.add_signature)
    statement = payload_of(envelope, where=str(args.add_signature))
    validate_statement(statement, where=str(args.add_signature))
    rel = _inside(args.add_signature, root)
    with progress_bar("hashing") as progress:
        compare_subjects(root, statement, exclude=[rel] if rel else [], progress=progress)
    signed = add_signature(envelope, key=args.key, cert=args.cert, chain=args.chain, password=_password(args))
    out = args.output or args.add_signature
    text = _text(signed)
    write_atomic(out, text)
    predicate = statement["predicate"]
    if not args.no_log:
        from ptmvet.trail import TrailRecord, append, default_log_path

        model = predicate.get("model") or {}
        digest = (predicate.get("policy") or {}).get("digest") or {}
        rec = append(
            TrailRecord.new(
                command="attest",
                model=str(args.model),
                verdict=str(predicate.get("verdict")),
                policy=str((predicate.get("policy") or {}).get("name")),
                policy_digest=str(digest.get("sha256")),
                repo_id=model.get("repo_id"),
                revision=model.get("revision"),
                weights_digest=(model.get("weights_digest") or {}).get("sha256"),
                stage=predicate.get("stage"),
                waivers=tuple(predicate.get("waivers") or ()),
                report_digest=((predicate.get("report") or {}).get("digest") or {}).get("sha256"),
                attestation_digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                extra={"cosigned": True, "signatures": len(signed["signatures"])},
            ),
            path=args.trail_log,
            db=args.trail_db,
        )
        say(f"audit trail: record {rec.seq} ({rec.hash[:12]}) appended to {args.trail_db or args.trail_log or default_log_path()}")
    emit(render(Attested(
        path=str(out), model=str(args.model), files=len(statement["subject"]), verdict=str(predicate.get("verdict")),
        stage=predicate.get("stage"), policy=str((predicate.get("policy") or {}).get("name")), signatures=len(signed["signatures"]),
        signer_keyid=signed["signatures"][-1]["keyid"], cosigned=True,
    ), args.format))
    return 0


def resolve_root(model: str, revision: str | None) -> Path:
    """The local folder of a model reference (a folder, or org/name[@rev] in the HF cache, offline)."""
    from ptmvet.ref import ModelRef
    from ptmvet.sources import collect

    ref = ModelRef.parse(model, revision=revision)
    if ref.path is not None:
        if not ref.path.is_dir():
            raise InputError(f"{ref.path}: not a model folder", path=str(ref.path))
        return ref.path
    evidence = collect(ref, offline=True)
    if not evidence.target.local_path:
        raise InputError(f"{ref.raw}: no local copy", hint="download it first")
    return Path(evidence.target.local_path)


__all__ = ["default_output", "register", "resolve_root", "run"]
