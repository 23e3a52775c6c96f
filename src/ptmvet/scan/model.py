"""The scanner's result types; they live in :mod:`ptmvet.evidence.scan` (evidence carries them)."""

from ptmvet.evidence.scan import HEADER_FORMATS, PICKLE_FORMATS, GlobalImport, ScanIssue, ScanReport, Verdict

__all__ = ["HEADER_FORMATS", "PICKLE_FORMATS", "GlobalImport", "ScanIssue", "ScanReport", "Verdict"]
