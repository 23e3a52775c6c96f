"""Static safety scanning of model files: nothing is ever unpickled or imported.

>>> from ptmvet.scan import scan_path
>>> for report in scan_path("path/to/model"):  # doctest: +SKIP
...     print(report.path, report.verdict.value, [g.qualname for g in report.dangerous_globals])

Pickles (plain, inside PyTorch zip archives, legacy PyTorch files, joblib,
NumPy object arrays) are walked opcode by opcode and every imported global
gets a verdict from :mod:`ptmvet.scan.allowlist`; safetensors, GGUF and ONNX
headers are validated. See :mod:`ptmvet.enrich.scan` for the enrichment stage.
"""

from ptmvet.scan.api import iter_files, overall, scan_path, scan_paths
from ptmvet.scan.files import ScanLimits, scan_file, sniff
from ptmvet.scan.model import GlobalImport, ScanIssue, ScanReport, ScanVerdict, Verdict
from ptmvet.scan.pickle import PickleLimits, PickleScan, scan_pickle

__all__ = [
    "GlobalImport",
    "PickleLimits",
    "PickleScan",
    "ScanIssue",
    "ScanLimits",
    "ScanReport",
    "ScanVerdict",
    "Verdict",
    "iter_files",
    "overall",
    "scan_file",
    "scan_path",
    "scan_paths",
    "scan_pickle",
    "sniff",
]
