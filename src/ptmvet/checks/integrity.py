"""Integrity checks (VET6xx): are these the bytes the publisher released, and can anyone vouch for them?

The ICSE'23 PTM-reuse study (Jiang et al.) found 132 of 63,182 Hub repositories
(0.21%) with any signed commit. These checks read what the integrity enricher
(:mod:`ptmvet.enrich.integrity`) and the sources recorded: local sha256 digests,
Git LFS pointers, the registry's LFS sha256, signatures and git history.
"""

from __future__ import annotations

from collections.abc import Iterator

from ptmvet.checks.interface import Attribute, Check, CheckMeta, Finding, Need, Severity, check
from ptmvet.evidence import Evidence, FileEntry

_SHOW = 8


def _short(sha: str | None) -> str:
    return (sha or "?")[:12]


# --- VET601 -----------------------------------------------------------------

HASHES = CheckMeta(
    id="VET601",
    slug="hashes-match",
    attribute=Attribute.INTEGRITY,
    severity=Severity.HIGH,
    summary="Each local file's sha256 and size match what the registry (LFS sha256), the HF cache or a manifest says it should be.",
    remedy="Download the files again from the registry at a pinned commit and compare; do not use files whose digest differs from the published one.",
    needs=frozenset({Need.FILES}),
)


@check(HASHES)
def hashes_match(ev: Evidence) -> Iterator[Finding]:
    meta = HASHES
    local = [f for f in ev.files if f.local]
    if not local:
        yield meta.skipped("no local files to hash (remote-only evidence)")
        return
    integ = ev.integrity
    hashes = integ.hashes if integ is not None else {}
    mismatches: list[str] = []
    mismatched_paths: list[str] = []
    matched: list[str] = []
    sources: set[str] = set()
    for f in local:
        before = len(mismatches)
        expected: list[tuple[str, int | None, str]] = []
        if f.registry_sha256:
            expected.append((f.registry_sha256.lower(), f.registry_size, "registry"))
        if integ is not None and f.path in integ.expected:
            e = integ.expected[f.path]
            expected.append((e.sha256, e.size, e.source))
        if not expected:
            continue
        if f.lfs_pointer is not None:
            # The content is absent (VET602); the pointer still names the digest it stands for.
            for sha, _size, source in expected:
                sources.add(source)
                if f.lfs_pointer.oid != sha:
                    mismatches.append(f"{f.path}: LFS pointer oid {_short(f.lfs_pointer.oid)} but {source} says {_short(sha)}")
            if len(mismatches) > before:
                mismatched_paths.append(f.path)
            continue
        actual = hashes.get(f.path)
        if actual is None:
            continue
        for sha, size, source in expected:
            sources.add(source)
            if sha != actual:
                mismatches.append(f"{f.path}: sha256 {_short(actual)} but {source} says {_short(sha)}")
            elif size is not None and f.size is not None and size != f.size:
                mismatches.append(f"{f.path}: {f.size} bytes but {source} says {size}")
            else:
                matched.append(f"{f.path}: {_short(actual)} ({source})")
        if len(mismatches) > before:
            mismatched_paths.append(f.path)
    if not (mismatches or matched):
        if integ is None or not hashes:
            yield meta.skipped("the local files were not hashed (hashing disabled or no integrity data)")
        else:
            yield meta.skipped(
                "no expected digests to compare with: the registry listing has no LFS sha256 "
                "(older metadata dumps list file names only) and no manifest or cache blob names one",
                evidence=(f"{len(hashes)} file(s) hashed",),
            )
        return
    details = {"matched": len(matched), "mismatched": len(mismatches), "sources": sorted(sources)}
    if mismatches:
        yield meta.failed(
            f"{len(mismatches)} file(s) differ from their published digest", evidence=mismatches[:_SHOW], details=details, paths=mismatched_paths
        )
    else:
        yield meta.passed(
            f"{len(matched)} file(s) match their published digest ({', '.join(sorted(sources))})", evidence=matched[:_SHOW], details=details
        )


# --- VET602 -----------------------------------------------------------------

LFS = CheckMeta(
    id="VET602",
    slug="lfs-pointers-resolved",
    attribute=Attribute.INTEGRITY,
    severity=Severity.HIGH,
    summary="Files are real content, not Git LFS pointer files standing in for weights that were never downloaded.",
    remedy="Fetch the content: `git lfs install && git lfs pull` in the clone, or download the files with `huggingface_hub.snapshot_download`.",
    needs=frozenset({Need.FILES}),
)


def _pointer_line(f: FileEntry) -> str:
    assert f.lfs_pointer is not None
    return f"{f.path}: LFS pointer to sha256 {_short(f.lfs_pointer.oid)}, {f.lfs_pointer.size:,} bytes"


@check(LFS)
def lfs_pointers_resolved(ev: Evidence) -> Iterator[Finding]:
    meta = LFS
    local = [f for f in ev.files if f.local]
    if not local:
        yield meta.skipped("no local files (remote-only evidence)")
        return
    pointers = [f for f in local if f.lfs_pointer is not None]
    weights = [f for f in pointers if f.weight_format is not None]
    details = {"pointers": [f.path for f in pointers], "weight_pointers": [f.path for f in weights]}
    if not pointers:
        yield meta.passed(f"no Git LFS pointer files among {len(local)} local file(s)", details=details)
        return
    missing = sum(f.lfs_pointer.size for f in pointers if f.lfs_pointer is not None)
    what = "weights missing: " if weights else ""
    yield meta.failed(
        f"{what}{len(pointers)} file(s) are Git LFS pointers, not content ({missing:,} bytes never downloaded)",
        evidence=[_pointer_line(f) for f in (weights + [f for f in pointers if f not in weights])][:_SHOW],
        details=details,
        severity=Severity.HIGH if weights else Severity.MEDIUM,
        paths=[f.path for f in pointers],
    )


# --- VET603 -----------------------------------------------------------------

SIGNATURE = CheckMeta(
    id="VET603",
    slug="signature-valid",
    attribute=Attribute.INTEGRITY,
    severity=Severity.MEDIUM,
    summary="The package carries a model signature (OpenSSF model_signing) that verifies and covers the files as they are.",
    remedy="Sign the package: `ptmvet sign MODEL --key priv.pem` (or `model_signing sign`), publish the public key or CA, and ship `model.sig`.",
    needs=frozenset({Need.FILES}),
)


@check(SIGNATURE)
def signature_valid(ev: Evidence) -> Iterator[Finding]:
    meta = SIGNATURE
    integ = ev.integrity
    if integ is None:
        yield meta.skipped("no integrity data collected (the integrity enricher did not run)")
        return
    sig = integ.signature
    if sig is None:
        if not ev.local_files:
            yield meta.skipped("no local files to look for a signature in")
            return
        yield meta.failed("no model signature in the package (model.sig or *.sig)")
        return
    details = {
        "path": sig.path,
        "method": sig.method,
        "verified": sig.verified,
        "digests_match": sig.digests_match,
        "signed_files": sig.signed_files,
        "mismatched": list(sig.mismatched),
        "identities": list(sig.identities),
        "issuer": sig.issuer,
    }
    evidence = [f"{sig.path}: {sig.message}"] + [f"differs: {p}" for p in sig.mismatched[:_SHOW]]
    if sig.verified is False or sig.digests_match is False:
        yield meta.failed(f"the signature {sig.path} does not verify: {sig.message}", evidence=evidence, details=details, severity=Severity.HIGH)
    elif sig.verified:
        yield meta.passed(f"signature {sig.path} verified ({sig.method}); {sig.signed_files} file(s) covered", evidence=evidence, details=details)
    elif sig.digests_match is None:
        # Not examined at all (hashing off): say so, never "its 0 digests match".
        yield meta.skipped(f"signature {sig.path} present but not examined: {sig.message}", evidence=evidence, details=details)
    elif sig.anchor_given:
        # A trust anchor was given but could not be used: the hint to give one would mislead.
        yield meta.skipped(
            f"signature {sig.path} present and its {sig.signed_files} digests match the files, but it was not authenticated: {sig.message}",
            evidence=evidence,
            details=details,
        )
    else:
        yield meta.skipped(
            f"signature {sig.path} present and its {sig.signed_files} digests match the files, but it was not "
            "authenticated: no trusted key or CA was given (ptmvet verify MODEL --signature ... --key PUB.pem)",
            evidence=evidence,
            details=details,
        )


# --- VET604 -----------------------------------------------------------------

PINNED = CheckMeta(
    id="VET604",
    slug="revision-pinned",
    attribute=Attribute.INTEGRITY,
    severity=Severity.MEDIUM,
    summary="The registry reference is pinned to a commit sha, not a branch or tag that can move to other bytes.",
    remedy="Refer to the model as `org/name@<40-hex commit sha>` (and pass `revision=<sha>` to from_pretrained / snapshot_download).",
    needs=frozenset(),
)


@check(PINNED)
def revision_pinned(ev: Evidence) -> Iterator[Finding]:
    meta = PINNED
    t = ev.target
    if t.source in ("local", "git"):
        yield meta.not_applicable(f"a {'git clone' if t.source == 'git' else 'local folder'}: no registry reference to pin (VET106 records its commit)")
        return
    shown = (f"requested: {t.requested_revision or '(default branch)'}", f"resolved: {t.revision or 'unknown'}")
    if t.pinned:
        yield meta.passed(f"pinned to commit {t.revision}", evidence=shown)
    elif t.revision:
        yield meta.failed(
            f"the reference {t.requested_revision or 'main'!r} is mutable; it resolved to {_short(t.revision)} today but can move",
            evidence=shown,
        )
    else:
        yield meta.failed("no commit is known for the reference: the vetted bytes cannot be tied to a revision", evidence=shown)


# --- VET605 -----------------------------------------------------------------

COMMITS = CheckMeta(
    id="VET605",
    slug="commits-signed",
    attribute=Attribute.INTEGRITY,
    severity=Severity.LOW,
    summary="The repository's commits are signed (git %G?), and no signature is bad.",
    remedy="Sign commits (`git config commit.gpgsign true` with a GPG or SSH key, `gpg.format ssh`) and publish the key (Hub account settings or allowed-signers file).",
    needs=frozenset({Need.GIT}),
)

_STATUS_WORDS = {
    "G": "good",
    "U": "good, unknown validity",
    "X": "good, expired signature",
    "Y": "good, expired key",
    "R": "good, revoked key",
    "E": "cannot be checked here",
    "B": "BAD",
    "N": "unsigned",
}


@check(COMMITS)
def commits_signed(ev: Evidence) -> Iterator[Finding]:
    meta = COMMITS
    g = ev.git
    if g is None:
        yield meta.skipped("not a git clone: no commit history to inspect")
        return
    if g.error:
        yield meta.skipped(f"git history unreadable: {g.error}")
        return
    if not g.commits:
        yield meta.skipped("the repository has no commits")
        return
    counts: dict[str, int] = {}
    for c in g.commits:
        counts[c.signature] = counts.get(c.signature, 0) + 1
    signed = sum(n for s, n in counts.items() if s != "N")
    total = len(g.commits)
    caveat = " (shallow clone: older commits not inspected)" if g.shallow else (" (only the newest commits read)" if g.truncated else "")
    head = g.commits[0]
    details = {
        "commits": total,
        "signed": signed,
        "by_status": dict(sorted(counts.items())),
        "head_signature": head.signature,
        "shallow": g.shallow,
        "truncated": g.truncated,
        "signers": sorted({c.signer for c in g.commits if c.signer}),
    }
    evidence = [f"{s} ({_STATUS_WORDS.get(s, s)}): {n}" for s, n in sorted(counts.items())]
    evidence.append(f"HEAD {head.sha[:12]}: {_STATUS_WORDS.get(head.signature, head.signature)}")
    bad = [c for c in g.commits if c.signature in ("B", "R")]
    if bad:
        yield meta.failed(
            f"{len(bad)} commit(s) carry a bad or revoked-key signature{caveat}",
            evidence=evidence + [f"{c.sha[:12]} {c.signature}: {c.subject[:60]}" for c in bad[:_SHOW]],
            details=details,
            severity=Severity.HIGH,
        )
    elif signed == 0:
        yield meta.failed(f"none of {total} commit(s) is signed{caveat}", evidence=evidence, details=details)
    else:
        yield meta.passed(f"{signed} of {total} commit(s) signed{caveat}", evidence=evidence, details=details)


CHECKS: tuple[Check, ...] = (hashes_match, lfs_pointers_resolved, signature_valid, revision_pinned, commits_signed)
