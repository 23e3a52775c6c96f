"""The vetting pipeline of one package: ModelRef -> Evidence -> findings -> Report.

``collect`` (sources) does the I/O on the model, *enrichers* add evidence that
needs more I/O (hashing, scanning, lineage look-ups, re-measurement), checks
are pure, and the report derives the scores. (``ptmvet audit`` is the
registry-wide run in :mod:`ptmvet.registry`; :mod:`ptmvet.audit` is an old
name of this module.)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from ptmvet.checks import REGISTRY
from ptmvet.checks.interface import Check, Finding, run_check
from ptmvet.enrich import ENRICHERS, Enricher, VetOptions
from ptmvet.errors import UsageError
from ptmvet.evidence import Evidence
from ptmvet.policy import Policy, overall_verdict
from ptmvet.progress import Progress
from ptmvet.report import Report, build_report


def enrichers() -> Sequence[Enricher]:
    """The enrichment stages, in order (:data:`ptmvet.enrich.ENRICHERS`)."""
    return ENRICHERS


def _wanted(only: Sequence[str], checks: Iterable[Check] = REGISTRY) -> set[str]:
    if not only:
        return set()  # every check (the usual case: no need to list the registry's ids on each vet)
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


def vet_evidence(
    evidence: Evidence, options: VetOptions | None = None, progress: Progress | None = None, *, policy: Policy | None = None
) -> Report:
    """Enrich the evidence, run the checks and build the report.

    The report carries the enriched evidence (``report.evidence``) and its
    overall PASS/FAIL under ``policy`` (the default policy when None).
    """
    options = options or VetOptions.default()
    _wanted(options.checks)  # fail before the enrichers' I/O, not after
    for enrich in enrichers():
        evidence = enrich(evidence, options, progress)
    findings = run_checks(evidence, only=options.checks)
    wanted = _wanted(options.checks)
    if wanted:
        findings += not_run_findings(wanted, f"this run was restricted to {', '.join(sorted(wanted))} (--only)")
    report = replace(build_report(evidence, findings), not_vetted=left_out(evidence, options))
    return replace(report, verdict=overall_verdict(report, policy))


def not_run_findings(ran: Iterable[str], why: str) -> list[Finding]:
    """A skipped finding for every registered check whose id is not in ``ran``.

    A check left out of a run is a finding that says so: it weighs as a miss in the
    scores, never as a pass, so a run of a subset of the checks cannot score 10/10
    on checks it never ran (the single-package ``--only`` and the registry-wide
    ``audit --checks`` alike).
    """
    done = set(ran)
    return [c.meta.skipped(f"not run: {why}", details={"not_run": True}) for c in REGISTRY if c.meta.id not in done]


def checks_left_out(ran: Iterable[str], how: str) -> str | None:
    """``only N of M checks ran (how)`` when some registered check is not in ``ran``, else None."""
    done = set(ran)
    missing = [c for c in REGISTRY if c.meta.id not in done]
    if not missing:
        return None
    return f"only {len(REGISTRY) - len(missing)} of {len(REGISTRY)} checks ran ({how})"


def left_out(evidence: Evidence, options: VetOptions) -> tuple[str, ...]:
    """What ``options`` switch off for this evidence, in words (``Report.not_vetted``)."""
    out: list[str] = []
    if options.checks:
        gap = checks_left_out(_wanted(options.checks), "--only")
        if gap:
            out.append(gap)
    if evidence.local_files:
        if not options.deep_scan:
            out.append("the files were not scanned for code that runs when they are loaded (--no-scan)")
        if not options.hash_files:
            out.append("the files were not hashed, so no digest or signature was compared (--no-hash)")
    return tuple(out)


def vet(ref: str | Path, options: VetOptions | None = None, progress: Progress | None = None, *, policy: Policy | None = None) -> Report:
    """Vet one model package: a folder, ``org/name[@rev]`` from the cache or the Hub.

    The report carries the enriched evidence (``report.evidence``: hashes, scan,
    lineage, measurements), so nothing downstream needs to run the pipeline again.
    """
    from ptmvet.sources import collect

    options = options or VetOptions.default()
    _wanted(options.checks)
    evidence = collect(ref, revision=options.revision, offline=options.offline, progress=progress)
    return vet_evidence(evidence, options, progress, policy=policy)


__all__ = [
    "Enricher", "VetOptions", "checks_left_out", "enrichers", "left_out", "not_run_findings", "run_checks", "vet",
    "vet_evidence",
]
