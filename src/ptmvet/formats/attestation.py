"""Vetting attestations: what ``attest`` wrote and what ``verify-attestation`` concluded (terminal, JSON)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ptmvet.attest.result import Attested
from ptmvet.attest.verify import AttestationCheck
from ptmvet.formats.json_format import dumps

#: Version of the attest / verify-attestation JSON (schemas/attestation.schema.json).
SCHEMA_VERSION = 1


def to_dict(result: Attested | AttestationCheck) -> dict[str, Any]:
    if isinstance(result, Attested):
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": "attested",
            "attestation": result.path,
            "model": result.model,
            "files": result.files,
            "verdict": result.verdict,
            "stage": result.stage,
            "policy": result.policy,
            "signatures": result.signatures,
            "signer_keyid": result.signer_keyid,
            "cosigned": result.cosigned,
            "items": list(result.items),
        }
    doc: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "kind": "verification", "ok": result.ok, "attestation": result.attestation}
    if result.verdict is not None:
        v = result.verdict
        return doc | {
            "files": v.files, "stage": v.stage, "verdict": v.verdict, "policy": dict(v.policy), "time": v.time,
            "model": dict(v.model), "signers": [s.to_dict() for s in v.signers], "notes": list(v.notes),
        }
    return doc | {
        "reason": result.reason, "message": result.message, "changed": list(result.changed), "added": list(result.added),
        "removed": list(result.removed), "reasons": list(result.reasons),
    }


def render_json(result: Attested | AttestationCheck, **_: Any) -> str:
    return dumps(to_dict(result))


def render_terminal(result: Attested | AttestationCheck, **_: Any) -> str:
    if isinstance(result, Attested):
        stage = f" at stage {result.stage!r}" if result.stage else ""
        if result.cosigned:
            head = (f"co-signed: {result.path} now carries {result.signatures} signature(s) over {result.files} file(s) "
                    f"(verdict {result.verdict}{stage})")
        else:
            head = (f"{result.verdict.upper()}: {result.model} under policy {result.policy!r}{stage}; attestation over "
                    f"{result.files} file(s) signed by key {result.signer_keyid[:16]}...: {result.path}")
        return "\n".join([head, *(f"  {i}" for i in result.items)]) + "\n"
    if result.verdict is None:
        lines = [f"REFUSED ({result.reason}): {result.message}"]
        lines += [f"  changed  {p}" for p in result.changed]
        lines += [f"  added    {p}" for p in result.added]
        lines += [f"  removed  {p}" for p in result.removed]
        lines += [f"  not vouched: {r}" for r in result.reasons]
        return "\n".join(lines) + "\n"
    v = result.verdict
    who = "; ".join(f"{s.kind} {s.identities[0] if s.kind == 'certificate' else s.keyid[:16] + '...'}" for s in v.signers)
    lines = [
        f"OK: {result.attestation} verified: {len(v.signers)} signer(s) ({who}); {v.files} file(s) match",
        f"  verdict {v.verdict} at stage {v.stage!r} under policy {v.policy.get('name')!r} (version {v.policy.get('version')}), {v.time}",
        *[f"  note: {n}" for n in v.notes],
    ]
    return "\n".join(lines) + "\n"


RENDERERS: Mapping[str, Callable[..., str]] = {"terminal": render_terminal, "json": render_json}

__all__ = ["RENDERERS", "SCHEMA_VERSION", "render_json", "render_terminal", "to_dict"]
