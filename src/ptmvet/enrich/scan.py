"""The scan enricher: statically scan a package's local files into ``Evidence.scan``."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ptmvet.enrich.interface import VetOptions
from ptmvet.evidence import Evidence
from ptmvet.evidence.scan import ScanIssue, ScanReport, ScanVerdict
from ptmvet.progress import Progress
from ptmvet.scan.api import _allowed_roots, _inside
from ptmvet.scan.files import scan_file


def scan_evidence_files(evidence: Evidence, progress: Progress | None = None) -> tuple[ScanReport, ...]:
    """Scan every local file of the package; paths in the reports are package-relative.

    Files the scanner does not read are left out, except weight files (an LFS
    pointer in place of weights is kept, as ``skipped``), so checks can tell
    "not scanned" from "nothing to scan".
    """
    if not evidence.target.local_path:
        return ()
    root = Path(evidence.target.local_path)
    roots = _allowed_roots(root)
    local = [f for f in evidence.files if f.local]
    reports: list[ScanReport] = []
    for i, f in enumerate(local):
        full = root / f.path
        if progress:
            progress(i, len(local), f"scan {f.path}")
        try:
            inside = _inside(full.resolve(strict=True), roots)
        except (OSError, RuntimeError):
            inside = False
        if not inside:
            if f.weight_format is not None:
                issue = ScanIssue("not-followed", ScanVerdict.SKIPPED, "missing, or a symlink out of the package; not scanned")
                reports.append(ScanReport(path=f.path, format="unrecognised", verdict=ScanVerdict.SKIPPED, issues=(issue,)))
            continue
        r = scan_file(full, display=f.path)
        if r.verdict is not ScanVerdict.SKIPPED or f.weight_format is not None:
            reports.append(r)
    if progress:
        progress(len(local), len(local), "scan done")
    return tuple(reports)


def scan_enricher(evidence: Evidence, options: VetOptions, progress: Progress | None) -> Evidence:
    """Enricher (:data:`ptmvet.enrich.ENRICHERS`): fills ``Evidence.scan``.

    Does nothing when ``options.deep_scan`` is off or the package has no local folder.
    """
    if not options.deep_scan or not evidence.target.local_path:
        return evidence
    return dataclasses.replace(evidence, scan=scan_evidence_files(evidence, progress))
