"""A verification (``ptmvet verify``): terminal lines and JSON, for every mode."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ptmvet.formats.json_format import dumps
from ptmvet.integrity.verification import Verification

#: Version of the verify JSON (schemas/verify.schema.json); 1: first with a version and ``mode``.
SCHEMA_VERSION = 1


def _mismatch(v: Verification) -> dict[str, Any]:
    exc = v.mismatch
    if exc is None:
        return {"changed": [], "added": [], "removed": [], "message": ""}
    return {"changed": [c.path for c in exc.changed], "added": list(exc.added), "removed": list(exc.removed), "message": exc.message}


def to_dict(v: Verification) -> dict[str, Any]:
    doc: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "mode": v.mode, "ok": v.ok}
    cmp = v.registry
    if cmp is not None:
        doc |= {
            "repo_id": cmp.snapshot.repo_id,
            "revision": cmp.snapshot.revision,
            "source": cmp.snapshot.source,
            "hashes_in_listing": cmp.snapshot.has_hashes,
            "matched": list(cmp.matched),
            "changed": [c.path for c in cmp.changed],
            "lfs_pointers": [c.path for c in cmp.pointers],
            "pointer_mismatches": [c.path for c in cmp.pointer_mismatches],
            "removed": list(cmp.removed),
            "added": list(cmp.added),
            "unverified": list(cmp.unverified),
            "findings": list(v.notes),
        }
        return doc
    if not v.ok:
        return doc | _mismatch(v) | ({"method": v.method} if v.method else {})
    if v.mode == "manifest":
        return doc | {"files": v.files, "manifest": v.against}
    return doc | {
        "method": v.method,
        "files": v.files,
        "signature": v.against,
        "identities": list(v.identities),
        "issuer": v.issuer,
        "unsigned": list(v.unsigned),
    }


def render_json(v: Verification, **_: Any) -> str:
    return dumps(to_dict(v))


def _registry_lines(v: Verification) -> list[str]:
    cmp = v.registry
    assert cmp is not None
    snap = cmp.snapshot
    lines = [f"registry: {snap.repo_id} at {snap.revision or 'unknown revision'} ({snap.source})", *v.notes]
    if not snap.has_hashes:
        lines.append("note: the listing has no LFS sha256 (an older metadata dump); only file names were compared")
    lines.append(
        f"{len(cmp.matched)} matched, {len(cmp.changed) + len(cmp.pointer_mismatches)} changed, {len(cmp.pointers)} LFS pointer(s) without content, "
        f"{len(cmp.removed)} missing locally, {len(cmp.added)} not in the registry, {len(cmp.unverified)} without a registry hash"
    )
    if v.mismatch is None:  # otherwise the mismatch listing names them
        lines += [f"pointer  {c.path}: content not downloaded (LFS oid {c.actual_sha256}, {c.actual_size} bytes)" for c in cmp.pointers]
    return lines


def render_terminal(v: Verification, **_: Any) -> str:
    lines = _registry_lines(v) if v.registry is not None else []
    if v.mismatch is not None:
        lines.append(v.mismatch.listing())
    elif v.registry is not None:
        lines.append("OK" if v.registry.snapshot.has_hashes else "OK (names only)")
    elif v.mode == "manifest":
        lines.append(f"OK: {v.files} file(s) match {v.against}")
    else:
        lines.append(f"OK: signature {v.against} verified ({v.method}); {v.files} file(s) match")
        if v.identities:
            lines.append(f"signer: {', '.join(v.identities)}" + (f" (issued by {v.issuer})" if v.issuer else ""))
        lines += [
            f"unsigned {p}: not covered by the signature ({'the signature file itself' if p == v.against.rsplit('/', 1)[-1] or v.against.endswith('/' + p) else 'a git file model_signing leaves out'})"
            for p in v.unsigned
        ]
    return "\n".join(lines) + "\n"


RENDERERS: Mapping[str, Callable[..., str]] = {"terminal": render_terminal, "json": render_json}

__all__ = ["RENDERERS", "SCHEMA_VERSION", "render_json", "render_terminal", "to_dict"]
