"""The report: findings, attribute scores and claims for one model package.

Scores are derived from findings here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ptmvet import __version__
from ptmvet.card import Claim
from ptmvet.checks.interface import Attribute, Finding, Outcome, Severity
from ptmvet.evidence import Evidence, Target

#: Version of the JSON report contract (schemas/report.schema.json).
SCHEMA_VERSION = "1.0"


def score_findings(findings: Iterable[Finding]) -> dict[Attribute, float | None]:
    """Attribute -> score 0..10, or None when nothing about it could be assessed.

    Each assessed finding (pass or fail) weighs by its severity; skipped,
    not-applicable and error findings do not count, so "not assessable" stays
    distinct from 0.
    """
    got: dict[Attribute, float] = {}
    total: dict[Attribute, float] = {}
    for f in findings:
        if not f.outcome.assessed:
            continue
        w = f.severity.weight
        total[f.attribute] = total.get(f.attribute, 0.0) + w
        if f.outcome is Outcome.PASS:
            got[f.attribute] = got.get(f.attribute, 0.0) + w
    scores: dict[Attribute, float | None] = {}
    for attr in Attribute:
        t = total.get(attr)
        scores[attr] = round(10.0 * got.get(attr, 0.0) / t, 1) if t else None
    return scores


@dataclass(frozen=True)
class Report:
    """The report card of one model package."""

    target: Target
    findings: tuple[Finding, ...]
    scores: Mapping[Attribute, float | None]
    claims: tuple[Claim, ...] = ()
    summary: Mapping[str, Any] = field(default_factory=dict)  # facts for display (licence, size, formats...)
    sections: Mapping[str, Any] = field(default_factory=dict)  # extra report sections (measurements, lineage, scan)
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    tool_version: str = __version__

    @property
    def failures(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.outcome is Outcome.FAIL)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for f in self.findings if f.outcome is outcome)

    def worst_failure(self) -> Severity | None:
        fails = self.failures
        return max((f.severity for f in fails), key=lambda s: s.rank) if fails else None

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract (see schemas/report.schema.json)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "ptmvet", "version": self.tool_version},
            "generated_at": self.generated_at.isoformat(),
            "target": self.target.to_dict(),
            "scores": {a.value: s for a, s in self.scores.items()},
            "counts": {o.value: self.count(o) for o in Outcome},
            "summary": _jsonable(self.summary),
            "findings": [f.to_dict() for f in self.findings],
            "claims": [c.to_dict() for c in self.claims],
            "sections": _jsonable(self.sections),
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "to_dict"):
        return _jsonable(value.to_dict())
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def build_report(
    evidence: Evidence,
    findings: Sequence[Finding],
    *,
    sections: Mapping[str, Any] | None = None,
) -> Report:
    """Assemble the report from the evidence and the findings of every check."""
    ordered = tuple(sorted(findings, key=lambda f: f.check_id))
    return Report(
        target=evidence.target,
        findings=ordered,
        scores=score_findings(ordered),
        claims=evidence.claims,
        summary=summarize(evidence),
        sections=dict(sections or {}),
    )


def summarize(evidence: Evidence) -> dict[str, Any]:
    """Facts shown at the top of every format."""
    card = evidence.card
    formats = sorted({f.weight_format for f in evidence.weight_files if f.weight_format})
    params = sum(s.parameters for s in evidence.safetensors if s.error is None) or None
    size = sum(f.size or 0 for f in evidence.weight_files) or None
    return {
        "license": card.meta_str("license") if card else None,
        "pipeline_tag": (card.meta_str("pipeline_tag") if card else None)
        or (evidence.registry.pipeline_tag if evidence.registry else None),
        "library": (card.meta_str("library_name") if card else None)
        or (evidence.registry.library_name if evidence.registry else None),
        "base_model": list(card.meta_list("base_model")) if card else [],
        "datasets": list(card.meta_list("datasets")) if card else [],
        "weight_formats": formats,
        "parameters": params,
        "weights_bytes": size,
        "files": len(evidence.files),
        "claims": len(evidence.claims),
        "problems": [{"path": p.path, "message": p.message} for p in evidence.problems],
    }
