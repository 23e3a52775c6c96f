"""``ptmvet verify MODEL``: against a manifest, the registry's LFS sha256, or a signature.

Exit 0 when everything matches, 4 (integrity) with the changed, added and
removed files listed when not, 3 when an input cannot be read.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ptmvet.cli._common import emit, progress_bar, render
from ptmvet.errors import InputError, UsageError
from ptmvet.formats import choices
from ptmvet.integrity.errors import IntegrityMismatch
from ptmvet.integrity.lfs import compare_with_registry
from ptmvet.integrity.manifest import build_manifest, diff_manifests, read_manifest
from ptmvet.integrity.signing import verify_signature
from ptmvet.integrity.snapshot import RegistrySnapshot, fetch_snapshot, load_dump
from ptmvet.integrity.verification import Verification
from ptmvet.ref import ModelRef


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "verify",
        help="verify a model package against a manifest, the registry's hashes or a signature",
        description="Verify the files of a model package. Exactly one of --manifest, --against-registry or --signature.",
    )
    p.add_argument("model", help="folder, or org/name[@revision] from the HF cache")
    p.add_argument("--revision", "-r", help="revision of org/name (or use org/name@rev)")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--manifest", type=Path, help="a manifest written by `ptmvet manifest`")
    what.add_argument("--against-registry", action="store_true", help="compare with the registry's LFS sha256 per file")
    what.add_argument("--signature", type=Path, help="a model_signing signature (Sigstore bundle), e.g. MODEL/model.sig")
    reg = p.add_argument_group("registry")
    reg.add_argument("--dump", type=Path, help="model_info JSON / JSONL(.gz) / zip dump instead of asking the Hub")
    reg.add_argument("--repo-id", help="which model of the dump (default: the reference's id, or the dump's only record)")
    reg.add_argument("--partial", action="store_true", help="do not fail on files the registry lists but the copy lacks")
    sig = p.add_argument_group("signature")
    sig.add_argument("--key", type=Path, help="public key (PEM) the signature must verify with")
    sig.add_argument("--chain", type=Path, action="append", default=[], help="trusted CA certificate(s) (PEM), repeatable")
    sig.add_argument("--sigstore", action="store_true", help="a keyless Sigstore signature (needs a network)")
    sig.add_argument(
        "--identity",
        help="required signer identity: the signing certificate's SAN e-mail, URI or DNS name, or subject CN (--chain, --sigstore)",
    )
    sig.add_argument(
        "--issuer",
        "--oidc-issuer",
        dest="issuer",
        help="required issuer: with --chain the signing certificate's issuer (DN, CN or organisation); with --sigstore the OIDC issuer",
    )
    p.add_argument("--format", "-f", choices=choices("verify"), default="terminal", help="verdict format (default: terminal)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    ref = ModelRef.parse(args.model, revision=args.revision)
    if args.signature is not None:
        return _signature(args, ref)
    if args.key or args.chain or args.sigstore or args.identity or args.issuer:
        raise UsageError("--key, --chain, --sigstore, --identity and --issuer go with --signature")
    if args.manifest is not None:
        return _manifest(args, ref)
    return _registry(args, ref)


def _root(ref: ModelRef) -> tuple[Path, Any]:
    from ptmvet.sources import collect

    if ref.path is not None:
        if not ref.path.exists():
            raise InputError(f"{ref.path}: no such file or directory", path=str(ref.path))
        if ref.path.is_file():
            return ref.path, None
    evidence = collect(ref, offline=True if ref.path is None else None)
    if not evidence.target.local_path:
        raise InputError(f"{ref.raw}: no local copy to verify", hint="download it first")
    return Path(evidence.target.local_path), evidence


def _show(args: argparse.Namespace, result: Verification) -> None:
    emit(render(result, args.format))


def _manifest(args: argparse.Namespace, ref: ModelRef) -> int:
    expected = read_manifest(args.manifest)
    root, _ = _root(ref)
    exclude: list[str] = []
    rel = _inside(args.manifest, root)
    if rel:
        exclude.append(rel)
    with progress_bar("hashing") as progress:
        actual = build_manifest(root, exclude=exclude, progress=progress)
    diff = diff_manifests(expected, actual)
    try:
        diff.raise_for(f"{root} against {args.manifest}")
    except IntegrityMismatch as exc:
        _show(args, Verification.failed("manifest", str(args.manifest), exc))
        raise
    _show(args, Verification("manifest", True, str(args.manifest), files=diff.matched))
    return 0


def _inside(path: Path, root: Path) -> str | None:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def _snapshot(args: argparse.Namespace, ref: ModelRef, evidence: Any) -> RegistrySnapshot:
    target = evidence.target if evidence is not None else None
    repo_id = args.repo_id or ref.repo_id or (target.repo_id if target else None)
    if args.dump is not None:
        return load_dump(args.dump, repo_id)
    if not repo_id:
        raise UsageError("which registry model is this? give --repo-id ORG/NAME (or --dump FILE)")
    revision = ref.revision or (target.revision if target else None)
    return fetch_snapshot(repo_id, revision)


def _registry(args: argparse.Namespace, ref: ModelRef) -> int:
    root, evidence = _root(ref)
    snapshot = _snapshot(args, ref, evidence)
    with progress_bar("hashing") as progress:
        manifest = build_manifest(root, exclude=[".git"], progress=progress)
    cmp = compare_with_registry(manifest, snapshot)
    if args.partial:
        from dataclasses import replace

        cmp = replace(cmp, removed=())
    notes = tuple(_pinning_notes(snapshot, evidence))
    against = f"{snapshot.repo_id}@{snapshot.revision or 'unknown revision'}"
    try:
        cmp.raise_for()
    except IntegrityMismatch as exc:
        _show(args, Verification("registry", False, against, files=len(cmp.matched), mismatch=exc, registry=cmp, notes=notes))
        raise
    _show(args, Verification("registry", True, against, files=len(cmp.matched), registry=cmp, notes=notes))
    return 0


def _pinning_notes(snapshot: RegistrySnapshot, evidence: Any) -> list[str]:
    target = evidence.target if evidence is not None else None
    notes: list[str] = []
    if target is None or not target.pinned:
        notes.append(
            "finding: the local copy is not pinned to a commit; the registry listing "
            + (f"is for {snapshot.revision}" if snapshot.revision else "has no revision")
            + " and may describe other bytes"
        )
    elif snapshot.revision and target.revision and snapshot.revision != target.revision:
        notes.append(f"finding: the local copy is revision {target.revision}, the registry listing is {snapshot.revision}")
    return notes


def _signature(args: argparse.Namespace, ref: ModelRef) -> int:
    if args.dump or args.repo_id:
        raise UsageError("--dump and --repo-id go with --against-registry")
    root, _ = _root(ref)
    with progress_bar("hashing") as progress:
        try:
            result = verify_signature(
                root,
                args.signature,
                key=args.key,
                chain=args.chain,
                identity=args.identity,
                oidc_issuer=args.issuer if args.sigstore else None,
                issuer=None if args.sigstore else args.issuer,
                sigstore=args.sigstore,
                progress=progress,
            )
        except IntegrityMismatch as exc:
            _show(args, Verification.failed("signature", str(args.signature), exc))
            raise
    _show(
        args,
        Verification(
            "signature",
            True,
            str(args.signature),
            files=result.files,
            method=result.method,
            identities=result.identities,
            issuer=result.issuer,
            unsigned=result.unsigned,
        ),
    )
    return 0


__all__ = ["register", "run"]
