"""A gate decision: terminal verdict with reasons, JSON, SARIF 2.1.0 (:mod:`.sarif`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ptmvet.formats.json_format import dumps
from ptmvet.formats.sarif import render_gate_sarif
from ptmvet.policy import GateResult, GateStatus

#: Version of the gate JSON (schemas/gate.schema.json); 2: an integer, was the string "1.0".
SCHEMA_VERSION = 2

_ORDER = {GateStatus.FAIL: 0, GateStatus.WARN: 1, GateStatus.WAIVED: 2}


def render_terminal(result: GateResult, **_: Any) -> str:
    verdict = "PASS" if result.passed else "FAIL"
    at = f" at stage {result.stage!r}" if result.stage else ""
    lines = [f"{verdict}: {result.report.target.name} under policy {result.policy.name!r}{at} ({result.policy.source})"]
    for item in sorted(result.items, key=lambda i: _ORDER.get(i.status, 9)):
        extra = ""
        if item.status is GateStatus.WAIVED and item.waiver:
            extra = f" [waived until {item.waiver.expires.isoformat()}: {item.waiver.reason}]"
        lines.append(f"  {item.status.value:<6} {item.message}{extra}")
    if not result.items:
        lines.append("  no failing finding matters under this policy")
    met = [r["requirement"] for r in result.requirement_results() if r["met"]]
    if met:
        lines.append(f"  met    {', '.join(met)}")
    return "\n".join(lines) + "\n"


def render_json(result: GateResult, **_: Any) -> str:
    return dumps({**result.to_dict(), "schema_version": SCHEMA_VERSION})


def render_sarif(result: GateResult, *, docs_base: str | None = None, **_: Any) -> str:
    return render_gate_sarif(result, docs_base=docs_base)


RENDERERS: Mapping[str, Callable[..., str]] = {"terminal": render_terminal, "json": render_json, "sarif": render_sarif}

__all__ = ["RENDERERS", "SCHEMA_VERSION", "render_json", "render_sarif", "render_terminal"]
