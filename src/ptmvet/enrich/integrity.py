"""The integrity enricher: hash the local files, note what they should hash to, look at signatures.

It fills :attr:`ptmvet.evidence.Evidence.integrity`; the VET6xx checks read it.
Expected digests come from the HF cache (a snapshot file links to
``blobs/<sha256>`` for LFS files), from a manifest named in
``options.manifest``, and from the registry (``FileEntry.registry_sha256``,
already in the evidence). A signature file (``model.sig``, ``*.sig``) is parsed and
its digests compared with the files; it is authenticated only when a trusted key or
CA is given in ``options.signature_key`` / ``options.signature_chain``.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

from ptmvet.enrich.interface import VetOptions
from ptmvet.errors import Error
from ptmvet.evidence import Evidence, ExpectedHash, IntegrityInfo, Problem, SignatureStatus
from ptmvet.integrity.errors import IntegrityMismatch, SignatureInvalid
from ptmvet.integrity.manifest import build_manifest, read_manifest
from ptmvet.progress import Progress

_SHA256 = re.compile(r"[0-9a-f]{64}")
SIGNATURE_NAMES = ("model.sig",)
SIGNATURE_SUFFIXES = (".sig", ".sigstore", ".sigstore.json")


def is_signature_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return name in SIGNATURE_NAMES or name.endswith(SIGNATURE_SUFFIXES)


def _cache_expectations(root: Path, paths: list[str]) -> dict[str, ExpectedHash]:
    """HF cache snapshots link LFS files to ``blobs/<sha256>``: the link name is the expected digest."""
    out: dict[str, ExpectedHash] = {}
    if root.parent.name != "snapshots":
        return out
    for rel in paths:
        p = root / rel
        try:
            if not p.is_symlink():
                continue
            name = os.readlink(p).replace("\\", "/").rsplit("/", 1)[-1]
        except OSError:
            continue
        if _SHA256.fullmatch(name):
            out[rel] = ExpectedHash(sha256=name, size=None, source="hf-cache-blob")
    return out


def _signature_status(root: Path, sig_rel: str, options: VetOptions, sig_path: Path | None = None) -> SignatureStatus:
    from ptmvet.integrity.signing import signature_digests_match, verify_signature

    sig_path = sig_path or root / sig_rel
    if not sig_path.is_file():
        return SignatureStatus(path=sig_rel, verified=False, message=f"{sig_path}: no such signature file")
    try:
        signed, mismatched = signature_digests_match(root, sig_path)
    except Error as exc:
        return SignatureStatus(path=sig_rel, verified=False, message=f"unreadable signature: {exc.message}")
    key = options.signature_key
    chain = options.signature_chain
    verified: bool | None = None
    message = "signature parsed; not authenticated (no trusted key or CA given)"
    method: str | None = signed.signer_kind if signed.signer_kind != "unknown" else None
    identities: tuple[str, ...] = ()
    issuer: str | None = None
    if key or chain:
        try:
            result = verify_signature(
                root,
                sig_path,
                key=Path(key) if key else None,
                chain=[Path(c) for c in chain],
                identity=options.signature_identity,
                issuer=options.signature_issuer,
            )
            verified, method, message = True, result.method, f"verified with the given {result.method}"
            identities, issuer = result.identities, result.issuer
            if identities:
                message += f"; signed by {', '.join(identities)}"
        except SignatureInvalid as exc:
            verified, message = False, exc.message
        except IntegrityMismatch as exc:
            verified, message = False, exc.message
        except Error as exc:
            message = f"could not verify: {exc.message}"
    elif mismatched:
        message = f"{len(mismatched)} file(s) differ from the signed digests"
    return SignatureStatus(
        path=sig_rel,
        verified=verified,
        method=method,
        digests_match=not mismatched,
        signed_files=len(signed.files),
        mismatched=mismatched,
        message=message,
        identities=identities,
        issuer=issuer,
        anchor_given=bool(key or chain),
    )


def _relative(path: Path, root: Path) -> str | None:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (OSError, ValueError):
        return None


def integrity_enricher(evidence: Evidence, options: VetOptions, progress: Progress | None) -> Evidence:
    """Hash local files (when ``options.hash_files``) and record signatures; see the module docs."""
    local = [f.path for f in evidence.local_files]
    sig_files = tuple(sorted(p for p in local if is_signature_file(p)))
    root = Path(evidence.target.local_path) if evidence.target.local_path else None
    if root is None or not root.is_dir():
        info = IntegrityInfo(signature_files=sig_files)
        return replace(evidence, integrity=info)
    problems: list[Problem] = []
    hashes: dict[str, str] = {}
    unreadable: tuple[str, ...] = ()
    total = 0
    if options.hash_files and local:

        def report(done: int, total_bytes: int | None, what: str) -> None:
            if progress:
                progress(done, total_bytes, f"hashing {what}")

        manifest = build_manifest(root, progress=report if progress else None)
        wanted = set(local)
        hashes = {e.path: e.sha256 for e in manifest.entries if e.path in wanted}
        total = sum(e.size for e in manifest.entries if e.path in wanted)
        unreadable = tuple(sorted(wanted - hashes.keys()))
    expected = _cache_expectations(root, local)
    manifest_path = options.manifest
    if manifest_path:
        try:
            for e in read_manifest(Path(manifest_path)).entries:
                expected.setdefault(e.path, ExpectedHash(sha256=e.sha256, size=e.size, source="manifest"))
        except Error as exc:
            problems.append(Problem(str(manifest_path), exc.message))
    given = Path(options.signature) if options.signature is not None else None
    if given is not None:
        inside = _relative(given, root)
        sig_files = tuple(sorted({*sig_files, inside})) if inside else sig_files
        signature: SignatureStatus | None = _signature_status(root, inside or str(given), options, given)
    else:
        signature = _signature_status(root, sig_files[0], options) if sig_files and options.hash_files else None
    if signature is None and sig_files:
        signature = SignatureStatus(path=sig_files[0], verified=None, message="signature present; not examined (hashing disabled)")
    info = IntegrityInfo(
        hashes=hashes, expected=expected, signature=signature, signature_files=sig_files, unreadable=unreadable, bytes_hashed=total
    )
    return replace(evidence, integrity=info, problems=(*evidence.problems, *problems))
