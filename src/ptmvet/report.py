"""The report: findings, attribute scores and typed results for one model package.

Scores are derived from findings here and nowhere else. The report carries the
enriched :class:`~ptmvet.evidence.Evidence` it was built from, so BOMs, formats
and comparisons read typed values (``report.license``, ``report.lineage``,
``report.scan``, ``report.measurements``, ``report.integrity``,
``report.card_info``, ``report.summary``) instead of re-running the pipeline or
reading dicts back. The report holds no untyped mapping: ``to_dict`` (the JSON
contract, ``schemas/report.schema.json``, documented in ``docs/json.md``)
writes its ``sections`` from those typed results when it is called.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ptmvet._version import __version__
from ptmvet.card import Claim
from ptmvet.checks._weights import content_format, unusable_weights
from ptmvet.checks.interface import Attribute, Finding, Outcome
from ptmvet.evidence import Evidence, IntegrityInfo, Problem, Target
from ptmvet.evidence.lineage import Lineage
from ptmvet.evidence.measurement import Measurement
from ptmvet.evidence.scan import ScanReport, ScanVerdict
from ptmvet.licenses.verdict import LicenseAssessment, assess

if TYPE_CHECKING:
    from ptmvet.cardinfo import CardInfo

#: Version of the JSON report contract (schemas/report.schema.json). An integer:
#: any change of shape bumps it and is listed in docs/json.md. 2: integer
#: version, ``verdict`` (overall PASS/FAIL under a policy), measurement ``cause``;
#: 3: ``verdict.not_run``, the checks that were skipped or errored.
SCHEMA_VERSION = 3


def score_findings(findings: Iterable[Finding]) -> dict[Attribute, float | None]:
    """Attribute -> score 0..10, or None when nothing about it could be assessed.

    Each pass or fail finding weighs by its severity, or by its check's own
    score weight where the check has one; a pass earns its finding's credit
    (1, or less on weaker evidence) of that weight. A skipped or error
    finding also weighs, as a miss: a check that could not look is never a
    point in favour, so no attribute scores 10/10 on evidence that was not
    there. An attribute with no pass or fail finding at all is None ("not
    assessable", distinct from 0); not-applicable findings never count.
    """
    got: dict[Attribute, float] = {}
    total: dict[Attribute, float] = {}
    assessed: set[Attribute] = set()
    not_applicable, passed, failed = Outcome.NOT_APPLICABLE, Outcome.PASS, Outcome.FAIL  # one look-up, not one per finding
    for f in findings:
        outcome = f.outcome
        if outcome is not_applicable:
            continue
        attr = f.attribute
        w = f.score_weight
        total[attr] = total.get(attr, 0.0) + w
        if outcome is passed:
            assessed.add(attr)
            got[attr] = got.get(attr, 0.0) + w * f.credit
        elif outcome is failed:
            assessed.add(attr)
    scores: dict[Attribute, float | None] = {}
    for attr in Attribute:
        t = total.get(attr)
        scores[attr] = round(10.0 * got.get(attr, 0.0) / t, 1) if t and attr in assessed else None
    return scores


@dataclass(frozen=True)
class Summary:
    """Facts shown at the top of every format (the JSON ``summary``)."""

    license: str | None = None  # as declared in the card metadata
    pipeline_tag: str | None = None
    library: str | None = None
    base_model: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    weight_formats: tuple[str, ...] = ()
    parameters: int | None = None
    weights_bytes: int | None = None
    files: int = 0
    claims: int = 0
    problems: tuple[Problem, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "license": self.license,
            "pipeline_tag": self.pipeline_tag,
            "library": self.library,
            "base_model": list(self.base_model),
            "datasets": list(self.datasets),
            "weight_formats": list(self.weight_formats),
            "parameters": self.parameters,
            "weights_bytes": self.weights_bytes,
            "files": self.files,
            "claims": self.claims,
            "problems": [_problem(p) for p in self.problems],
        }


def _problem(p: Problem) -> dict[str, str]:
    return {"path": p.path, "message": p.message}


class Decision(StrEnum):
    """The overall outcome of a report under a policy."""

    PASS = "pass"  # noqa: S105 - a verdict, not a password
    FAIL = "fail"


@dataclass(frozen=True)
class NotRun:
    """A check the policy cares about that was skipped or errored, so its PASS says nothing about it."""

    check_id: str
    slug: str
    severity: str  # the check's severity ("high", ...)
    outcome: str  # "skipped" or "error"
    reason: str  # the finding's message

    @property
    def short(self) -> str:
        """``VET601 (no expected digests to compare with)``: the reason up to its first colon."""
        return f"{self.check_id} ({self.reason.split(':', 1)[0].strip() or self.outcome})"

    def to_dict(self) -> dict[str, Any]:
        return {"check_id": self.check_id, "slug": self.slug, "severity": self.severity, "outcome": self.outcome, "reason": self.reason}


def not_run_summary(not_run: Sequence[NotRun]) -> str:
    """``2 checks could not be run: VET601 (...), VET504 (...)`` ('' when every check ran)."""
    if not not_run:
        return ""
    n = len(not_run)
    return f"{n} check{'s' if n != 1 else ''} could not be run: " + ", ".join(x.short for x in not_run)


@dataclass(frozen=True)
class PolicyVerdict:
    """The overall PASS/FAIL of the report under one policy, with the reasons (``ptmvet.policy.overall_verdict``)."""

    decision: Decision
    policy: str  # the policy's name
    source: str  # "preset" or the policy file
    reasons: tuple[str, ...] = ()  # why it fails (empty on PASS)
    warnings: tuple[str, ...] = ()  # what the policy only warns about
    waived: tuple[str, ...] = ()  # failures a waiver covers
    not_run: tuple[NotRun, ...] = ()  # checks that could have changed the decision but were skipped or errored

    @property
    def passed(self) -> bool:
        return self.decision is Decision.PASS

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision.value,
            "policy": self.policy,
            "source": self.source,
            "reasons": list(self.reasons),
            "warnings": list(self.warnings),
            "waived": list(self.waived),
            "not_run": [x.to_dict() for x in self.not_run],
        }


@dataclass(frozen=True)
class Report:
    """The report card of one model package."""

    target: Target
    findings: tuple[Finding, ...]
    scores: Mapping[Attribute, float | None]
    claims: tuple[Claim, ...] = ()
    summary: Summary = field(default_factory=Summary)
    evidence: Evidence | None = None  # the enriched evidence the findings were computed from
    license: LicenseAssessment | None = None  # the licence verdict (licenses.verdict.assess), computed once
    verdict: PolicyVerdict | None = None  # overall PASS/FAIL under the default policy or the one given
    card_info: CardInfo | None = None  # what the card says (task, datasets, base models, prose claims), each with its source
    #: What this run left out on purpose (checks not selected, scanning or hashing switched off), in words;
    #: the gate fails on each, since a PASS must never stand on what was not looked at.
    not_vetted: tuple[str, ...] = ()
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    tool_version: str = __version__

    @property
    def failures(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.outcome is Outcome.FAIL)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for f in self.findings if f.outcome is outcome)

    # --- typed results, read from the enriched evidence ------------------------

    @property
    def lineage(self) -> Lineage | None:
        return self.evidence.lineage if self.evidence else None

    @property
    def scan(self) -> tuple[ScanReport, ...]:
        return self.evidence.scan if self.evidence else ()

    @property
    def scan_verdict(self) -> ScanVerdict | None:
        """The worst verdict of the files scanned (skipped files aside): SKIPPED when none was, None without a scan."""
        if not self.scan:
            return None
        scanned = [r.verdict for r in self.scan if r.verdict is not ScanVerdict.SKIPPED]
        return ScanVerdict.worst(scanned) if scanned else ScanVerdict.SKIPPED

    @property
    def measurements(self) -> tuple[Measurement, ...]:
        return self.evidence.measurements if self.evidence else ()

    @property
    def integrity(self) -> IntegrityInfo | None:
        """What hashing the local files established (None for a package with no local copy: nothing was hashed)."""
        if self.evidence is None or not self.target.local_path:
            return None
        return self.evidence.integrity

    @property
    def measurements_skipped(self) -> str | None:
        """Why re-measurement was asked for but not run (None: it ran, or was not asked for)."""
        return self.evidence.measurements_skipped if self.evidence else None

    @property
    def license_checked(self) -> LicenseAssessment | None:
        """The licence verdict when the licence stage ran (it also traces the lineage), else None.

        This is what the formats show and the JSON ``sections.license`` holds;
        :attr:`license` is computed for every report and read by comparisons and BOMs.
        """
        return self.license if self.lineage is not None else None

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract (see schemas/report.schema.json and docs/json.md)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "ptmvet", "version": self.tool_version},
            "generated_at": self.generated_at.isoformat(),
            "target": self.target.to_dict(),
            "verdict": self.verdict.to_dict() if self.verdict else None,
            "scores": {a.value: s for a, s in self.scores.items()},
            "counts": {o.value: self.count(o) for o in Outcome},
            "summary": self.summary.to_dict(),
            "findings": [f.to_dict() for f in self.findings],
            "claims": [c.to_dict() for c in self.claims],
            "sections": json_sections(self),
        }


def build_report(evidence: Evidence, findings: Sequence[Finding]) -> Report:
    """Assemble the report from the enriched evidence and the findings of every check."""
    ordered = tuple(sorted(findings, key=lambda f: f.check_id))
    license = assess(evidence)
    return Report(
        target=evidence.target,
        findings=ordered,
        scores=score_findings(ordered),
        claims=evidence.claims,
        summary=summarize(evidence),
        evidence=evidence,
        license=license,
        card_info=_card_info(evidence),
    )


def json_sections(report: Report) -> dict[str, Any]:
    """The JSON ``sections`` of the report, written from its typed results (keys and shapes unchanged since report schema 1)."""
    out: dict[str, Any] = {}
    info = report.integrity
    if info is not None:
        out["integrity"] = {
            "files_hashed": len(info.hashes),
            "bytes_hashed": info.bytes_hashed,
            "expected_digests": len(info.expected),
            "signature": info.signature.path if info.signature else None,
        }
    verdict = report.scan_verdict
    if verdict is not None:
        out["scan"] = {"verdict": verdict.value, "files": [r.to_dict() for r in report.scan]}
    lic = report.license_checked
    if lic is not None:
        out["license"] = lic.to_dict()
    if report.lineage is not None:
        out["lineage"] = report.lineage.to_section()
    if report.measurements or report.measurements_skipped:
        out["measurements"] = [m.to_dict() for m in report.measurements]
    if report.measurements_skipped:
        out["measurements_skipped"] = report.measurements_skipped
    if report.card_info is not None:
        out["card"] = report.card_info.to_section()
    return out


def _card_info(evidence: Evidence) -> CardInfo | None:
    """What the card says, each fact with its source (None without a card)."""
    if evidence.card is None:
        return None
    from ptmvet.cardinfo import for_evidence

    return for_evidence(evidence)


def _inferred_task(evidence: Evidence) -> str | None:
    """The task read from tags, model-index, library, config or card text (report section ``card`` names the source)."""
    if evidence.card is None and not evidence.config:
        return None
    from ptmvet.cardinfo import for_evidence

    return for_evidence(evidence).task.task


def summarize(evidence: Evidence) -> Summary:
    """Facts shown at the top of every format."""
    card = evidence.card
    # By content where the scanner read it (as VET301 and VET701 judge), so the header never says
    # "pickle" for safetensors bytes under a .bin name; a file whose content could not be read keeps its name's.
    unusable = unusable_weights(evidence)
    formats = tuple(
        sorted(
            {
                fmt
                for f in evidence.weight_files
                if (fmt := (f.weight_format or "") if f.path in unusable and f.lfs_pointer is None else content_format(f, evidence)[0])
            }
        )
    )
    params = sum(s.parameters for s in evidence.safetensors if s.error is None) or None
    size = sum(f.size or 0 for f in evidence.weight_files) or None
    return Summary(
        license=card.meta_str("license") if card else None,
        pipeline_tag=(card.meta_str("pipeline_tag") if card else None)
        or (evidence.registry.pipeline_tag if evidence.registry else None)
        or _inferred_task(evidence),
        library=(card.meta_str("library_name") if card else None) or (evidence.registry.library_name if evidence.registry else None),
        base_model=tuple(card.meta_list("base_model")) if card else (),
        datasets=tuple(card.meta_list("datasets")) if card else (),
        weight_formats=formats,
        parameters=params,
        weights_bytes=size,
        files=len(evidence.files),
        claims=len(evidence.claims),
        problems=evidence.problems,
    )
