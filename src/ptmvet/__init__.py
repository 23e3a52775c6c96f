"""ptmvet: vet a pre-trained model package before you reuse it.

A short tour::

    from ptmvet import VetOptions, vet, render, Policy, gate

    report = vet("path/to/model-folder")             # or "org/name@<sha>" (HF cache or Hub)
    report.scores                                    # attribute -> 0..10, or None (not assessable)
    [f for f in report.findings if f.outcome == "fail"]
    html = render(report, "html")                    # also "terminal", "json", "md"

    report = vet("org/name@<sha>", VetOptions(intended_use="research", data_dir=Path("eval-data")))
    result = gate(report, Policy.strict())           # or Policy.load("policy.yaml")
    result.passed

The pipeline is ``ModelRef -> Evidence -> findings -> Report``: sources
(``ptmvet.sources``) are the only code that reads the model, checks
(``ptmvet.checks``) are pure functions of the evidence, scores are derived from
findings in one place (``ptmvet.report``), and formats render last
(``ptmvet.formats``). Nothing in the library prints or exits, and nothing in a
model package is ever unpickled or executed to inspect it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ptmvet._version import __version__

if TYPE_CHECKING:
    from ptmvet.evidence import Evidence
    from ptmvet.formats import render
    from ptmvet.pipeline import VetOptions, run_checks, vet, vet_evidence
    from ptmvet.policy import Policy, gate
    from ptmvet.report import Report
    from ptmvet.sources import collect

#: Public names, imported on first use so that ``import ptmvet`` stays light.
_EXPORTS = {
    "vet": "ptmvet.pipeline",
    "vet_evidence": "ptmvet.pipeline",
    "run_checks": "ptmvet.pipeline",
    "VetOptions": "ptmvet.pipeline",
    "collect": "ptmvet.sources",
    "Evidence": "ptmvet.evidence",
    "Report": "ptmvet.report",
    "render": "ptmvet.formats",
    "Policy": "ptmvet.policy",
    "gate": "ptmvet.policy",
}

__all__ = ["Evidence", "Policy", "Report", "VetOptions", "__version__", "collect", "gate", "render", "run_checks", "vet", "vet_evidence"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ptmvet' has no attribute {name!r}")
    return getattr(import_module(module), name)
