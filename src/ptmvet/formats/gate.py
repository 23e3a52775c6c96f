"""A gate decision: terminal verdict with reasons, JSON, SARIF 2.1.0 (:mod:`.sarif`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ptmvet.formats.json_format import dumps
from ptmvet.formats.sarif import render_gate_sarif
from ptmvet.policy import GateResult, GateStatus
from ptmvet.report import not_run_summary

#: Version of the gate JSON (schemas/gate.schema.json); 2: an integer, was the string "1.0";
#: 3: ``not_run``, the checks the decision does not cover (skipped or errored).
SCHEMA_VERSION = 3

_ORDER = {GateStatus.FAIL: 0, GateStatus.WARN: 1, GateStatus.WAIVED: 2}


def render_terminal(result: GateResult, **_: Any) -> str:
    verdict = "PASS" if result.passed else "FAIL"
    at = f" at stage {result.stage!r}" if result.stage else ""
    head = f"{verdict}: {result.report.target.name} under policy {result.policy.name!r}{at} ({result.policy.source})"
    if result.not_run:
        # The decision covers only what ran; say what did not, so PASS never reads as "everything checked".
        head += " — " + not_run_summary(result.not_run)
    lines = [head]
    for item in sorted(result.items, key=lambda i: _ORDER.get(i.status, 9)):
        extra = ""
        if item.status is GateStatus.WAIVED and item.waiver:
            extra = f" [waived until {item.waiver.expires.isoformat()}: {item.waiver.reason}]"
        lines.append(f"  {item.status.value:<6} {item.message}{extra}")
    if not result.items:
        lines.append("  no failing finding matters under this policy")
    for x in result.not_run:
        label = "skip" if x.outcome == "skipped" else x.outcome
        lines.append(f"  {label:<6} {x.check_id} {x.slug} ({x.severity}) could not be run: {x.reason}")
    met = [r["requirement"] for r in result.requirement_results() if r["met"]]
    if met:
        lines.append(f"  met    {', '.join(met)}")
    return "\n".join(lines) + "\n"


def render_json(result: GateResult, **_: Any) -> str:
    return dumps({"schema_version": SCHEMA_VERSION, **result.to_dict()})


def render_sarif(result: GateResult, *, docs_base: str | None = None, **_: Any) -> str:
    return render_gate_sarif(result, docs_base=docs_base)


RENDERERS: Mapping[str, Callable[..., str]] = {"terminal": render_terminal, "json": render_json, "sarif": render_sarif}

__all__ = ["RENDERERS", "SCHEMA_VERSION", "render_json", "render_sarif", "render_terminal"]
