"""The vetting attestation's content: an in-toto Statement v1.

Subjects are the package's files with their SHA-256 (the digests of
``ptmvet manifest`` and of ``model_signing``'s file serialization); the
predicate records what was decided: verdict, stage, policy (name, version,
digest), ptmvet version, every finding's id and outcome, the gate's items, the
claims re-measured with their values and intervals, the waivers used, and the
time. :func:`build_statement` checks the result with the ``in-toto-attestation``
library before it is signed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ptmvet._version import __version__
from ptmvet.errors import DependencyMissing
from ptmvet.evidence.measurement import Measurement
from ptmvet.integrity.errors import SignatureInvalid
from ptmvet.integrity.manifest import Manifest
from ptmvet.policy import GateResult

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://ptmvet.invalid/attestation/vetting/v1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
PREDICATE_VERSION = 1


def canonical_json(data: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: the bytes that are signed and digested."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_of(data: Any) -> str:
    return hashlib.sha256(canonical_json(data)).hexdigest()


def _claim(m: Measurement) -> dict[str, Any]:
    """The fields of one re-measured claim kept in the predicate (the rest stays in the report)."""
    return {
        "task": m.task,
        "dataset": m.dataset,
        "config": m.config,
        "split": m.split,
        "metric": m.metric,
        "claimed": m.claimed,
        "measured": m.measured,
        "ci_low": m.ci_low,
        "ci_high": m.ci_high,
        "n": m.n,
        "tolerance": m.tolerance,
        "scale": "percent" if m.scale == 100.0 else "fraction",
        "verdict": m.verdict.value,
        "reason": m.reason,
    }


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def build_statement(
    result: GateResult,
    manifest: Manifest,
    *,
    model_ref: str,
    intended_use: str | None = None,
    weights_digest: str | None = None,
    time: str | None = None,
) -> dict[str, Any]:
    """The in-toto Statement (a dict) for one gate decision over one set of files."""
    report = result.report
    policy = result.policy
    claims = [_claim(m) for m in report.measurements]
    predicate: dict[str, Any] = {
        "predicate_version": PREDICATE_VERSION,
        "verdict": "pass" if result.passed else "fail",
        "stage": result.stage,
        "time": time or utc_now(),
        "tool": {"name": "ptmvet", "version": __version__},
        "policy": {
            "name": policy.name,
            "version": policy.version,
            "digest": {"sha256": policy.digest},
            "stages": list(policy.stage_names),
            "source": policy.source,
        },
        "model": {
            "ref": model_ref,
            "name": report.target.name,
            "repo_id": report.target.repo_id,
            "revision": report.target.revision,
            "pinned": report.target.pinned,
            "source": report.target.source,
            "file_count": len(manifest.entries),
            "total_size": manifest.total_size,
            "weights_digest": {"sha256": weights_digest} if weights_digest else None,
        },
        "intended_use": intended_use,
        "requirements": result.requirement_results(),
        "findings": [
            {"id": f.check_id, "slug": f.slug, "outcome": f.outcome.value, "severity": f.severity.value}
            for f in report.findings
        ],
        "gate": [
            {k: v for k, v in i.to_dict().items() if k in ("status", "rule", "check_id", "requirement", "message")}
            for i in result.items
        ],
        "waivers": [
            {"check": w.check, "reason": w.reason, "expires": w.expires.isoformat(), "target": w.target}
            for w in result.waivers_used
        ],
        "claims": claims,
        "schema_fit": (
            {"fits": result.schema_fit.fits, "data": result.schema_fit.data, "problems": list(result.schema_fit.problems)}
            if result.schema_fit is not None
            else None
        ),
        "report": {"digest": {"sha256": sha256_of(report.to_dict())}},
    }
    statement = {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": e.path, "digest": {"sha256": e.sha256}} for e in manifest.entries],
        "predicateType": PREDICATE_TYPE,
        "predicate": predicate,
    }
    validate_statement(statement, where="the new attestation")
    return statement


def validate_statement(statement: Any, *, where: str) -> None:
    """Check a statement with ``in-toto-attestation``'s own validator and ptmvet's predicate shape."""
    try:
        from google.protobuf import json_format
        from in_toto_attestation.v1.statement import Statement
    except ImportError as exc:
        raise DependencyMissing("in-toto-attestation", "vetting attestations") from exc

    def bad(why: str) -> SignatureInvalid:
        return SignatureInvalid(f"{where}: not a ptmvet vetting statement ({why})", signature=where, reason="malformed")

    if not isinstance(statement, dict):
        raise bad("the payload is not a JSON object")
    try:
        pb = json_format.ParseDict(statement, Statement([], "", {}).pb)
        Statement.copy_from_pb(pb).validate()
    except (json_format.ParseError, ValueError, TypeError) as exc:
        raise bad(str(exc)) from exc
    if statement.get("predicateType") != PREDICATE_TYPE:
        raise bad(f"predicate type {statement.get('predicateType')!r}, expected {PREDICATE_TYPE}")
    predicate = statement["predicate"]
    for key, typ in (("verdict", str), ("time", str), ("policy", dict), ("findings", list), ("model", dict)):
        if not isinstance(predicate.get(key), typ):
            raise bad(f"predicate.{key} is missing or not a {typ.__name__}")
    for s in statement["subject"]:
        digest = s.get("digest", {}).get("sha256") if isinstance(s.get("digest"), dict) else None
        if not isinstance(s.get("name"), str) or not isinstance(digest, str) or len(digest) != 64:
            raise bad("a subject lacks a name or a sha256 digest")


def subject_digests(statement: Mapping[str, Any]) -> dict[str, str]:
    """path -> sha256 of a (validated) statement's subjects."""
    return {str(s["name"]): str(s["digest"]["sha256"]).lower() for s in statement["subject"]}


