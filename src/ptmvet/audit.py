"""The pipeline: ModelRef -> Evidence -> findings -> Report.

``collect`` (sources) does the I/O on the model, *enrichers* add evidence that
needs more I/O (hashing, scanning, lineage look-ups, re-measurement), checks
are pure, and the report derives the scores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ptmvet.checks import REGISTRY
from ptmvet.checks.interface import Check, Finding, run_check
from ptmvet.errors import UsageError
from ptmvet.evidence import Evidence
from ptmvet.progress import Progress
from ptmvet.report import Report, build_report


@dataclass(frozen=True, kw_only=True)
class VetOptions:
    """Options of one vetting run. Keyword-only; see ``VetOptions.default()``."""

    revision: str | None = None
    offline: bool | None = None  # None: follow HF_HUB_OFFLINE
    intended_use: str = "commercial"  # commercial | research | internal
    data_dir: Path | None = None  # evaluation data for claim re-measurement
    registry_db: Path | None = None
    dump: Path | None = None
    deep_scan: bool = True  # scan weight files statically
    hash_files: bool = True
    checks: tuple[str, ...] = ()  # restrict to these ids (empty: all)
    claims_tolerance: float | None = None  # points a re-measured claim may differ (None: the default rule)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def default(cls) -> VetOptions:
        return cls()


#: An enricher adds evidence that needs I/O beyond what a source collects.
#: It returns the (possibly replaced) evidence and extra report sections.
Enricher = Callable[[Evidence, VetOptions, Progress | None], tuple[Evidence, dict[str, Any]]]


def enrichers() -> Sequence[Enricher]:
    """The enrichment stages, in order. One explicit list, like the check registry."""
    from ptmvet.evaluate.runner import measure_enricher
    from ptmvet.integrity.enrich import integrity_enricher
    from ptmvet.licenses.enrich import license_enricher
    from ptmvet.scan.enrich import scan_enricher

    return (integrity_enricher, scan_enricher, license_enricher, measure_enricher)


def _wanted(only: Sequence[str], checks: Iterable[Check] = REGISTRY) -> set[str]:
    wanted = {c.upper() for c in only}
    unknown = sorted(wanted - {c.meta.id for c in checks})
    if unknown:
        raise UsageError(f"no check {', '.join(map(repr, unknown))}", hint="`ptmvet checks list` shows every id")
    return wanted


def run_checks(evidence: Evidence, checks: Iterable[Check] = REGISTRY, *, only: Sequence[str] = ()) -> list[Finding]:
    """Run every check (or those in ``only``) on the evidence.

    An id in ``only`` that names no check is a usage error: silently running
    nothing would read as a clean report.
    """
    checks = tuple(checks)
    wanted = _wanted(only, checks)
    findings: list[Finding] = []
    for c in checks:
        if wanted and c.meta.id not in wanted:
            continue
        findings.extend(run_check(c, evidence))
    return findings


def vet_evidence(evidence: Evidence, options: VetOptions | None = None, progress: Progress | None = None) -> Report:
    """Enrich the evidence, run the checks and build the report."""
    options = options or VetOptions.default()
    _wanted(options.checks)  # fail before the enrichers' I/O, not after
    sections: dict[str, Any] = {}
    for enrich in enrichers():
        evidence, extra = enrich(evidence, options, progress)
        sections.update(extra)
    findings = run_checks(evidence, only=options.checks)
    return build_report(evidence, findings, sections=sections)


def vet(ref: str | Path, options: VetOptions | None = None, progress: Progress | None = None) -> Report:
    """Vet one model package: a folder, ``org/name[@rev]`` from the cache or the Hub."""
    from ptmvet.sources import collect

    options = options or VetOptions.default()
    _wanted(options.checks)
    evidence = collect(ref, revision=options.revision, offline=options.offline, progress=progress)
    return vet_evidence(evidence, options, progress)
