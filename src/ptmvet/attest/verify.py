"""``verify-attestation``: does this attestation vouch for these files, at this stage?

In order, each failure stopping the check:

1. **signatures** (:class:`SignatureInvalid`, exit 4): the envelope parses, a
   signature made with a trusted key or certificate verifies, at least
   ``min_signers`` distinct signers verified, and every required identity (and
   issuer) is among them;
2. **statement** (exit 4): an in-toto Statement v1 with ptmvet's predicate;
3. **files** (:class:`IntegrityMismatch`, exit 4): every subject digest matches
   the file on disk, no file added or removed (``.git`` and the attestation
   itself, when it lies in the folder, are not part of the package);
4. **vouching** (:class:`NotVouched`, exit 1): the verdict was pass, the stage is
   the required one (or, given the policy, a later one), the policy is the one
   expected, and the attestation is not older than the maximum age.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ptmvet.attest.dsse import Signer, payload_of, read_envelope, verify_envelope
from ptmvet.attest.statement import subject_digests, validate_statement
from ptmvet.errors import InputError, UsageError, VerdictFailed
from ptmvet.integrity.errors import FileChange, IntegrityMismatch, SignatureInvalid
from ptmvet.integrity.manifest import build_manifest
from ptmvet.policy import Policy
from ptmvet.progress import Progress

#: Clock skew allowed for an attestation time in the future.
FUTURE_SKEW = timedelta(minutes=5)
_AGE = re.compile(r"^\s*(\d+)\s*([smhdw]?)\s*$")
_UNITS = {"": 86400, "d": 86400, "s": 1, "m": 60, "h": 3600, "w": 7 * 86400}


class NotVouched(VerdictFailed):
    """The attestation is authentic and matches the files, but does not vouch for what was asked."""

    def __init__(self, message: str, *, reasons: Sequence[str]) -> None:
        super().__init__(message, hint="vet the model again at the stage you need (`ptmvet attest`)")
        self.reasons = tuple(reasons)


def parse_age(text: str) -> timedelta:
    """``90d``, ``12h``, ``30m``, ``2w`` or a bare number of days."""
    m = _AGE.match(text)
    if not m:
        raise UsageError(f"--max-age {text!r}: give a number with a unit, e.g. 90d, 12h, 2w")
    return timedelta(seconds=int(m.group(1)) * _UNITS[m.group(2)])


def parse_time(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


@dataclass(frozen=True)
class AttestationVerdict:
    """An attestation that verified: who vouched for which files, at which stage."""

    attestation: str
    signers: tuple[Signer, ...]
    files: int
    stage: str | None
    verdict: str
    policy: Mapping[str, Any]
    time: str
    model: Mapping[str, Any]
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "attestation": self.attestation,
            "files": self.files,
            "stage": self.stage,
            "verdict": self.verdict,
            "policy": dict(self.policy),
            "time": self.time,
            "model": dict(self.model),
            "signers": [s.to_dict() for s in self.signers],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class AttestationCheck:
    """What ``verify-attestation`` reports: the verdict when it verified, else why not.

    ``reason`` is ``files`` (changed/added/removed listed), a signature reason
    (``bad-signature``, ``key-mismatch``, ``untrusted-certificate``, ``identity``,
    ``too-few-signers``, ``malformed``...) or ``not-vouched`` (``reasons`` listed).
    """

    attestation: str
    verdict: AttestationVerdict | None = None
    reason: str | None = None
    message: str = ""
    changed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.verdict is not None

    @classmethod
    def failed(cls, attestation: str, exc: Exception) -> AttestationCheck:
        if isinstance(exc, IntegrityMismatch):
            return cls(attestation, reason="files", message=exc.message, changed=tuple(c.path for c in exc.changed),
                       added=exc.added, removed=exc.removed)
        if isinstance(exc, NotVouched):
            return cls(attestation, reason="not-vouched", message=exc.message, reasons=exc.reasons)
        if isinstance(exc, SignatureInvalid):
            return cls(attestation, reason=exc.reason, message=exc.message)
        return cls(attestation, reason="error", message=str(exc))


def _inside(path: Path, root: Path) -> str | None:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def compare_subjects(root: Path, statement: Mapping[str, Any], *, exclude: Sequence[str] = (), progress: Progress | None = None) -> None:
    """Raise :class:`IntegrityMismatch` unless the folder holds exactly the attested files."""
    expected = subject_digests(statement)
    actual = build_manifest(root, exclude=[".git", *exclude], progress=progress).digests()
    changed = [FileChange(p, expected[p], actual[p]) for p in sorted(expected.keys() & actual.keys()) if expected[p] != actual[p]]
    added = sorted(actual.keys() - expected.keys())
    removed = sorted(expected.keys() - actual.keys())
    if changed or added or removed:
        raise IntegrityMismatch(
            f"{root} against the attestation", changed=changed, added=added, removed=removed,
            hint="the files are not the ones that were vetted",
        )


def verify_attestation(
    root: Path,
    attestation: Path,
    *,
    keys: Sequence[Path] = (),
    cas: Sequence[Path] = (),
    identities: Sequence[str] = (),
    issuer: str | None = None,
    min_signers: int | None = None,
    require_stage: str | None = None,
    policy: Policy | None = None,
    max_age: timedelta | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> AttestationVerdict:
    """Verify an attestation for the package at ``root``; see the module docstring for the order."""
    root, attestation = Path(root), Path(attestation)
    if not root.is_dir():
        raise InputError(f"{root}: not a model folder", path=str(root))
    where = str(attestation)
    envelope = read_envelope(attestation)
    statement = payload_of(envelope, where=where)
    # The time certificates must be valid at; read before authentication, trusted only after it.
    raw_predicate = statement.get("predicate") if isinstance(statement, dict) else None
    at = parse_time(raw_predicate.get("time")) if isinstance(raw_predicate, dict) else None
    signers, notes = verify_envelope(envelope, keys=keys, cas=cas, where=where, at=at)
    needed = min_signers or (policy.for_stage(require_stage).signers if policy is not None and require_stage and policy.stages else 1)
    if len(signers) < needed:
        got = f"{len(signers)} signature(s) verified" if signers else "no signature verified with the trusted keys or CAs"
        hint = "; ".join(notes) or "check that the key or CA is the vetter's"
        if signers:
            hint = f"a second reviewer co-signs with `ptmvet attest MODEL --add-signature {attestation.name} --key REVIEWER.pem`; " + hint
        raise SignatureInvalid(f"{where}: {got}; {needed} required", signature=where, reason="too-few-signers" if signers else "key-mismatch", hint=hint)
    validate_statement(statement, where=where)
    predicate = statement["predicate"]
    for ident in identities:
        if not any(ident in s.identities for s in signers):
            have = "; ".join(", ".join(s.identities[:2]) for s in signers)
            raise SignatureInvalid(f"{where}: no verified signer is {ident!r} (signers: {have})", signature=where, reason="identity")
    if issuer is not None and not any(s.issuer == issuer for s in signers if s.kind == "certificate"):
        raise SignatureInvalid(f"{where}: no verified signer's certificate was issued by {issuer!r}", signature=where, reason="identity")
    rel = _inside(attestation, root)
    compare_subjects(root, statement, exclude=[rel] if rel else [], progress=progress)
    reasons = _vouching(predicate, require_stage=require_stage, policy=policy, max_age=max_age, now=now or datetime.now(UTC), at=at)
    if reasons:
        raise NotVouched(f"{where} does not vouch for the model: " + "; ".join(reasons), reasons=reasons)
    pol = predicate.get("policy", {})
    return AttestationVerdict(
        attestation=where,
        signers=tuple(signers),
        files=len(statement["subject"]),
        stage=predicate.get("stage"),
        verdict=str(predicate.get("verdict")),
        policy={"name": pol.get("name"), "version": pol.get("version"), "digest": pol.get("digest")},
        time=str(predicate.get("time")),
        model=predicate.get("model") or {},
        notes=tuple(notes),
    )


def _vouching(
    predicate: Mapping[str, Any],
    *,
    require_stage: str | None,
    policy: Policy | None,
    max_age: timedelta | None,
    now: datetime,
    at: datetime | None,
) -> list[str]:
    reasons: list[str] = []
    if predicate.get("verdict") != "pass":
        reasons.append(f"its verdict is {predicate.get('verdict')!r}, not 'pass'")
    stage = predicate.get("stage")
    if require_stage is not None:
        if policy is not None and policy.stages:
            want, got = policy.stage_rank(require_stage), policy.stage_rank(stage) if isinstance(stage, str) else None
            if want is None:
                raise UsageError(f"--require-stage {require_stage!r}: the policy has no such stage", hint=f"stages: {', '.join(policy.stage_names)}")
            if got is None or got < want:
                reasons.append(f"it is for stage {stage!r}, not {require_stage!r} or later")
        elif stage != require_stage:
            reasons.append(f"it is for stage {stage!r}, not {require_stage!r}")
    if policy is not None:
        digest = (predicate.get("policy") or {}).get("digest", {})
        if not isinstance(digest, dict) or digest.get("sha256") != policy.digest:
            reasons.append(f"it was made under another policy than {policy.source} (digest differs)")
        if max_age is None and require_stage and policy.stages:
            days = policy.for_stage(require_stage).max_age_days
            max_age = timedelta(days=days) if days else None
    if at is None:
        reasons.append("its time is missing or unreadable")
    else:
        if at > now + FUTURE_SKEW:
            reasons.append(f"its time {predicate.get('time')} is in the future")
        if max_age is not None and now - at > max_age:
            reasons.append(f"it was made {_human(now - at)} ago, older than the {_human(max_age)} allowed")
    return reasons


def _human(d: timedelta) -> str:
    s = int(d.total_seconds())
    if s >= 86400:
        return f"{s // 86400} day(s)"
    if s >= 3600:
        return f"{s // 3600} hour(s)"
    return f"{s // 60} minute(s)"


__all__ = ["AttestationCheck", "AttestationVerdict", "NotVouched", "compare_subjects", "parse_age", "verify_attestation"]
