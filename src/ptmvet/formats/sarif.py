"""SARIF 2.1.0 output of a gate result: one rule per check, one result per failing finding.

Each rule's ``helpUri`` points at the check's doc page. The base of those links
is ``PTMVET_DOCS_URL`` when set (e.g. your fork's blob URL), else the page's
path relative to the repository root (a URI reference), so code-scanning tools
that resolve relative to the repository find it.
"""

from __future__ import annotations

import json
import os
from typing import Any

from ptmvet import __version__
from ptmvet.checks import all_meta
from ptmvet.checks.interface import CheckMeta, Severity
from ptmvet.policy import GateResult, GateStatus

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


def help_uri(meta: CheckMeta) -> str:
    base = os.environ.get("PTMVET_DOCS_URL", "").rstrip("/")
    return f"{base}/{meta.doc_path}" if base else meta.doc_path


def _rule(meta: CheckMeta) -> dict[str, Any]:
    return {
        "id": meta.id,
        "name": "".join(part.capitalize() for part in meta.slug.split("-")),
        "shortDescription": {"text": meta.summary},
        "fullDescription": {"text": f"{meta.summary} Remedy: {meta.remedy}"},
        "helpUri": help_uri(meta),
        "help": {"text": meta.remedy},
        "defaultConfiguration": {"level": _LEVEL[meta.severity]},
        "properties": {"attribute": meta.attribute.value, "severity": meta.severity.value, "tags": [meta.attribute.value]},
    }


def render_gate_sarif(result: GateResult) -> str:
    """The SARIF log of a gate run."""
    metas = list(all_meta())
    index = {m.id: i for i, m in enumerate(metas)}
    target = result.report.target
    location_uri = (target.repo_id or target.name) + "/README.md"
    results: list[dict[str, Any]] = []
    for item in result.items:
        if item.check_id is None or item.check_id not in index:
            continue
        level = "error" if item.status is GateStatus.FAIL else ("warning" if item.status is GateStatus.WARN else "note")
        entry: dict[str, Any] = {
            "ruleId": item.check_id,
            "ruleIndex": index[item.check_id],
            "level": level,
            "message": {"text": item.message},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": location_uri}}}],
            "properties": {"gateStatus": item.status.value, "rule": item.rule},
        }
        if item.waiver is not None and item.status is GateStatus.WAIVED:
            entry["suppressions"] = [
                {"kind": "external", "status": "accepted", "justification": f"{item.waiver.reason} (until {item.waiver.expires.isoformat()})"}
            ]
        results.append(entry)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ptmvet",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/ptmvet/",
                        "rules": [_rule(m) for m in metas],
                    }
                },
                "results": results,
                # One code-scanning category per stage, so a pilot run does not close a production alert.
                **({"automationDetails": {"id": f"ptmvet-gate/{result.stage}/"}} if result.stage else {}),
                "properties": {
                    "policy": result.policy.name,
                    "policyDigest": result.policy.digest,
                    "stage": result.stage,
                    "requirements": result.requirement_results(),
                    "passed": result.passed,
                    "target": target.to_dict(),
                },
            }
        ],
    }
    return json.dumps(log, indent=2)
