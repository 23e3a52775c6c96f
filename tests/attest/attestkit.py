"""Helpers shared by the attestation tests: findings and gate results without a vetting run."""

from __future__ import annotations

from pathlib import Path

from ptmvet.checks import REGISTRY
from ptmvet.checks.interface import Finding
from ptmvet.evidence import Evidence, Target
from ptmvet.policy import GateResult, Policy, gate
from ptmvet.report import build_report

STAGED = Path(__file__).resolve().parents[2] / "examples" / "policies" / "staged.yaml"


def finding(check_id: str, outcome: str, message: str = "x") -> Finding:
    meta = next(c.meta for c in REGISTRY if c.meta.id == check_id)
    return {"pass": meta.passed, "fail": meta.failed, "skipped": meta.skipped}[outcome](message)


def gate_result(*findings: Finding, policy: Policy | None = None, local_path: Path | None = None, **kw: object) -> GateResult:
    from ptmvet.card import parse_card

    card = parse_card("---\nlicense: apache-2.0\n---\n# x\n")
    target = Target(name="org/model", source="local", repo_id="org/model", local_path=str(local_path) if local_path else None)
    report = build_report(Evidence(target=target, card=card), list(findings))
    return gate(report, policy or Policy.default(), **kw)  # type: ignore[arg-type]


def all_met() -> list[Finding]:
    """Passing findings for every requirement of the staged example policy."""
    ids = ("VET801", "VET501", "VET503", "VET101", "VET102", "VET105", "VET604", "VET601", "VET602", "VET702", "VET705", "VET603")
    return [finding(i, "pass") for i in ids]
