"""The scanner's result types; they live in :mod:`ptmvet.evidence.scan` (evidence carries them)."""

from ptmvet.evidence.scan import HEADER_FORMATS, PICKLE_FORMATS, GlobalImport, ScanIssue, ScanReport, ScanVerdict

#: The scanner's own short name for :class:`ScanVerdict` (claims have a ClaimVerdict).
Verdict = ScanVerdict

__all__ = ["HEADER_FORMATS", "PICKLE_FORMATS", "GlobalImport", "ScanIssue", "ScanReport", "ScanVerdict", "Verdict"]
