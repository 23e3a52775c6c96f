"""Compare candidate models side by side and rank them under a policy.

    from ptmvet.compare import compare
    result = compare(["org/a", "org/b"], policy=Policy.default())
    result.ranked[0].name          # the best candidate

Ranking (documented in docs/bom.md, "Ranking candidates"):

1. candidates that pass the policy's gate come first; a candidate without
   readable weights (VET606: none at all, only LFS pointers, empty or
   unreadable files) comes after every candidate with weights;
2. then by the **weighted mean of the assessed attribute scores**
   (:data:`WEIGHTS`; an attribute that could not be assessed is left out of
   the mean, never counted as 0; a candidate with no assessed attribute
   sorts last);
3. ties are broken by fewer failing findings of high or critical severity,
   then by fewer failing findings in all, then by name.

Rendering (terminal table, JSON, HTML page with a grouped bar chart) is in
:mod:`ptmvet.formats.compare`: ``ptmvet.formats.render(result, "html")``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ptmvet.card import Claim
from ptmvet.checks.interface import Attribute, Outcome, Severity
from ptmvet.errors import UsageError
from ptmvet.evidence.measurement import Measurement
from ptmvet.licenses.compat import Status
from ptmvet.pipeline import VetOptions, vet
from ptmvet.policy import GateResult, GateStatus, Policy, gate
from ptmvet.progress import Progress
from ptmvet.report import Report

#: Weight of each attribute in the comparison score. Safety and licence decide
#: whether a model may be reused at all, so they weigh double; claims and
#: integrity decide whether it is what it says it is.
WEIGHTS: Mapping[Attribute, float] = {
    Attribute.SAFETY: 2.0,
    Attribute.LICENSE: 2.0,
    Attribute.INTEGRITY: 1.5,
    Attribute.CLAIMS: 1.5,
    Attribute.PROVENANCE: 1.0,
    Attribute.REPRODUCIBILITY: 1.0,
    Attribute.DOCUMENTATION: 1.0,
    Attribute.PORTABILITY: 1.0,
    Attribute.MAINTENANCE: 0.5,
}

#: Attributes drawn in the chart and shown as columns, in this order.
ATTRIBUTES: tuple[Attribute, ...] = tuple(Attribute)
_SHORT = {a: a.value[:4] for a in ATTRIBUTES} | {Attribute.DOCUMENTATION: "docs", Attribute.LICENSE: "lic", Attribute.MAINTENANCE: "mnt"}
_GENERIC = frozenset({"model", "models", "snapshot", "checkpoint", "weights", "main"})


def weighted_score(scores: Mapping[Attribute, float | None], weights: Mapping[Attribute, float] = WEIGHTS) -> float | None:
    """Weighted mean of the assessed attribute scores (0..10), or None when none was assessed."""
    num = den = 0.0
    for attr, score in scores.items():
        w = weights.get(attr, 1.0)
        if score is None or w <= 0:
            continue
        num += w * score
        den += w
    return round(num / den, 2) if den else None


#: The keys of each re-measured claim in the compare JSON.
_MEASUREMENT_KEYS = ("task", "dataset", "split", "metric", "claimed", "measured", "ci_low", "ci_high", "n", "verdict")


@dataclass(frozen=True)
class LicenseFacts:
    """What the comparison shows of a candidate's licence."""

    spdx: str | None
    family: str  # licence class family; "none" without a licence
    use: str | None  # the intended use judged
    status: Status
    reasons: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"spdx": self.spdx, "class": self.family, "use": self.use, "status": self.status.value, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class Candidate:
    """One compared model: its report, the policy's decision, and the facts shown in the table."""

    ref: str
    report: Report
    gate: GateResult
    score: float | None
    rank: int = 0

    @property
    def name(self) -> str:
        t = self.report.target
        if t.repo_id:
            return t.repo_id
        if t.name.lower() in _GENERIC and t.local_path:
            # "model", "snapshot" ... say nothing: keep the folder above too.
            return "/".join(Path(t.local_path).parts[-2:])
        return t.name

    @property
    def has_weights(self) -> bool:
        """False when VET606 found no readable weight file: nothing there to reuse."""
        for f in self.report.findings:
            if f.check_id == "VET606" and f.outcome is Outcome.FAIL and not f.details.get("weights"):
                return False
        return True

    @property
    def weights_bytes(self) -> int | None:
        """Bytes of the weights in one format (the largest), from VET303 when it knows them.

        Falls back to the summary, which counts local bytes (an LFS pointer counts as its pointer).
        """
        for f in self.report.findings:
            sizes = f.details.get("weights_bytes") if f.check_id == "VET303" else None
            if isinstance(sizes, Mapping):
                vals = [v for v in sizes.values() if isinstance(v, int) and not isinstance(v, bool)]
                if vals:
                    return max(vals)
        return self.report.summary.weights_bytes

    @property
    def passed(self) -> bool:
        return self.gate.passed

    @property
    def high_failures(self) -> int:
        return sum(1 for f in self.report.failures if f.severity.rank >= Severity.HIGH.rank)

    @property
    def failures(self) -> int:
        return len(self.report.failures)

    @property
    def assessed(self) -> int:
        return sum(1 for s in self.report.scores.values() if s is not None)

    def license_facts(self) -> LicenseFacts:
        """The licence column: from the licence verdict computed once (ptmvet.licenses.verdict)."""
        lic = self.report.license
        use = lic.intended_use.value if lic else None
        if lic is None or lic.klass is None or lic.use is None:
            return LicenseFacts(self.report.summary.license, "none", use, Status.CONFLICT, ("no licence declared",))
        return LicenseFacts(lic.spdx, lic.klass.family.value, use, lic.use.status, lic.use.reasons)

    def claims(self) -> tuple[Claim, ...]:
        """The card's claims that state a value."""
        return tuple(c for c in self.report.claims if c.value is not None)

    def measurements(self) -> tuple[Measurement, ...]:
        return self.report.measurements

    def to_dict(self) -> dict[str, Any]:
        s = self.report.summary
        return {
            "rank": self.rank,
            "name": self.name,
            "ref": self.ref,
            "passed": self.passed,
            "score": self.score,
            "assessed_attributes": self.assessed,
            "high_failures": self.high_failures,
            "failures": self.failures,
            "scores": {a.value: self.report.scores.get(a) for a in ATTRIBUTES},
            "license": self.license_facts().to_dict(),
            "parameters": s.parameters,
            "weights_bytes": self.weights_bytes,
            "weight_formats": list(s.weight_formats),
            "claims": [
                {"metric": c.metric, "dataset": c.dataset, "split": c.dataset_split, "value": c.value} for c in self.claims()
            ],
            "measurements": [{k: row[k] for k in _MEASUREMENT_KEYS} for row in (m.to_dict() for m in self.measurements())],
            "gate": [i.to_dict() for i in self.gate.items if i.status is not GateStatus.WAIVED] + [
                i.to_dict() for i in self.gate.items if i.status is GateStatus.WAIVED
            ],
        }


def _sort_key(c: Candidate) -> tuple[int, int, float, int, int, str]:
    return (0 if c.passed else 1, 0 if c.has_weights else 1, -(c.score if c.score is not None else -1.0), c.high_failures, c.failures, c.name)


def rank(reports: Iterable[tuple[str, Report]], policy: Policy, *, today: date | None = None, weights: Mapping[Attribute, float] = WEIGHTS) -> list[Candidate]:
    """Gate and score each report, then order them (see the module docs)."""
    cands = [Candidate(ref, r, gate(r, policy, today=today), weighted_score(r.scores, weights)) for ref, r in reports]
    ordered = sorted(cands, key=_sort_key)
    return [Candidate(c.ref, c.report, c.gate, c.score, i + 1) for i, c in enumerate(ordered)]


@dataclass(frozen=True)
class Comparison:
    """The ranked candidates and what they were compared under."""

    ranked: tuple[Candidate, ...]
    policy: Policy
    intended_use: str
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": "1.0",
            "generated_at": self.generated_at.isoformat(),
            "policy": {"name": self.policy.name, "source": self.policy.source},
            "intended_use": self.intended_use,
            "weights": {a.value: w for a, w in WEIGHTS.items()},
            "candidates": [c.to_dict() for c in self.ranked],
        }


def compare(
    refs: Sequence[str | Path],
    options: VetOptions | None = None,
    *,
    policy: Policy | None = None,
    progress: Progress | None = None,
    vetter: Callable[[str | Path, VetOptions, Progress | None], Report] = vet,
) -> Comparison:
    """Vet every candidate with the same options and rank them under ``policy``."""
    if len(refs) < 1:
        raise UsageError("compare needs at least one model", hint="ptmvet compare MODEL_A MODEL_B ...")
    options = options or VetOptions.default()
    policy = policy or Policy.default()
    reports: list[tuple[str, Report]] = []
    for i, ref in enumerate(refs):
        if progress:
            progress(i, len(refs), f"vetting {ref}")
        reports.append((str(ref), vetter(ref, options, progress)))
    if progress:
        progress(len(refs), len(refs), "ranking")
    return Comparison(ranked=tuple(rank(reports, policy)), policy=policy, intended_use=options.intended_use)


__all__ = [
    "ATTRIBUTES",
    "WEIGHTS",
    "Candidate",
    "Comparison",
    "Outcome",
    "compare",
    "rank",
    "weighted_score",
]
