"""Policy stages: each extends the one before; unmet or unassessed requirements fail the gate."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from attestkit import STAGED, finding, gate_result

from ptmvet.checks.interface import Severity
from ptmvet.errors import PolicyError
from ptmvet.formats.sarif import render_gate_sarif
from ptmvet.policy import GateStatus, Policy, Requirement, SchemaFit

PILOT_OK = (
    finding("VET801", "pass"), finding("VET501", "pass"), finding("VET503", "pass"),
    finding("VET101", "pass"), finding("VET102", "pass"), finding("VET105", "pass"),
)
LIMITED_OK = (finding("VET604", "pass"), finding("VET601", "pass"), finding("VET602", "pass"), finding("VET702", "pass"), finding("VET705", "pass"))
FIT = SchemaFit(fits=True, data="ours.csv")


def test_staged_example_stages_accumulate() -> None:
    pol = Policy.load(STAGED)
    assert pol.version == 2 and pol.stage_names == ("pilot", "limited", "production")
    pilot, limited, prod = (pol.for_stage(s) for s in pol.stage_names)
    assert set(pilot.requires) < set(limited.requires) < set(prod.requires)
    assert Requirement.SIGNATURE in prod.requires and Requirement.SIGNATURE not in limited.requires
    assert pilot.fail_on is Severity.HIGH and limited.fail_on is Severity.MEDIUM and prod.fail_on is Severity.MEDIUM
    assert (pilot.signers, prod.signers, prod.max_age_days) == (1, 2, 90)
    assert prod.digest == pol.digest and len(pol.digest) == 64


def test_unknown_stage_and_stages_in_version_1_are_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="no stage") as info:
        Policy.load(STAGED).for_stage("prod")
    assert "pilot, limited, production" in (info.value.hint or "")
    with pytest.raises(PolicyError, match="no stages"):
        Policy.default().for_stage("pilot")
    p = tmp_path / "v1.yaml"
    p.write_text("version: 1\nstages:\n  - name: pilot\n")
    with pytest.raises(PolicyError, match="version 2"):
        Policy.load(p)
    p.write_text("version: 2\nstages:\n  - name: pilot\n    requires: [vibes-checked]\n")
    with pytest.raises(PolicyError, match="vibes-checked"):
        Policy.load(p)
    p.write_text("version: 2\nstages:\n  - name: pilot\n  - name: pilot\n")
    with pytest.raises(PolicyError, match="named twice"):
        Policy.load(p)


def test_pilot_passes_when_every_requirement_is_met() -> None:
    pilot = Policy.load(STAGED).for_stage("pilot")
    res = gate_result(*PILOT_OK, policy=pilot, schema_fit=FIT)
    assert res.passed, [i.message for i in res.items]
    assert res.stage == "pilot" and all(r["met"] for r in res.requirement_results())
    assert res.to_dict()["stage"] == "pilot"


@pytest.mark.parametrize(
    ("drop", "replace_with", "requirement", "why"),
    [
        ("VET801", finding("VET801", "skipped", "no data"), "claims-remeasured", "VET801 claims-reproduced skipped"),
        ("VET801", None, "claims-remeasured", "VET801 did not run"),
        ("VET503", finding("VET503", "fail", "non-commercial"), "license-allowed", "VET503"),
        ("VET102", finding("VET102", "fail", "no datasets"), "provenance-declared", "VET102"),
    ],
)
def test_unmet_or_unassessed_requirement_fails_the_stage(drop: str, replace_with: object, requirement: str, why: str) -> None:
    pilot = Policy.load(STAGED).for_stage("pilot")
    findings = [f for f in PILOT_OK if f.check_id != drop] + ([replace_with] if replace_with else [])
    res = gate_result(*findings, policy=pilot, schema_fit=FIT)  # type: ignore[arg-type]
    assert not res.passed
    stage_items = [i for i in res.items if i.rule == "stage"]
    assert [i.requirement.value for i in stage_items if i.requirement] == [requirement]
    assert why in stage_items[0].message and stage_items[0].status is GateStatus.FAIL


def test_schema_fit_needs_data_that_fits() -> None:
    pilot = Policy.load(STAGED).for_stage("pilot")
    missing = gate_result(*PILOT_OK, policy=pilot)
    assert not missing.passed and "--schema-data" in missing.items[0].message
    bad = gate_result(*PILOT_OK, policy=pilot, schema_fit=SchemaFit(fits=False, data="ours.csv", problems=("no column 'label'",)))
    assert not bad.passed and "no column 'label'" in bad.items[0].message


def test_production_extends_limited_and_pilot() -> None:
    prod = Policy.load(STAGED).for_stage("production")
    res = gate_result(*PILOT_OK, *LIMITED_OK, policy=prod, schema_fit=FIT)
    unmet = {r["requirement"] for r in res.requirement_results() if not r["met"]}
    assert unmet == {"signature"}  # VET603 did not run; everything earlier stages need is there
    signed = gate_result(*PILOT_OK, *LIMITED_OK, finding("VET603", "pass"), policy=prod, schema_fit=FIT)
    assert signed.passed, [i.message for i in signed.items]
    early = gate_result(*PILOT_OK, finding("VET603", "pass"), policy=prod, schema_fit=FIT)
    assert {"revision-pinned", "hashes-verified", "weights-scanned"} <= {r["requirement"] for r in early.requirement_results() if not r["met"]}


def test_waiver_requirements(tmp_path: Path) -> None:
    p = tmp_path / "team.yaml"
    p.write_text(
        "version: 2\nwaivers:\n  - check: VET301\n    reason: converted to safetensors in our mirror\n    expires: 2027-01-31\n"
        "stages:\n  - name: pilot\n  - name: limited\n    requires: [no-expired-waivers]\n  - name: production\n    requires: [no-waivers]\n"
    )
    pol = Policy.load(p)
    failing = finding("VET301", "fail", "pickle only")
    assert gate_result(failing, policy=pol.for_stage("pilot"), today=date(2027, 1, 1)).passed
    assert gate_result(failing, policy=pol.for_stage("limited"), today=date(2027, 1, 1)).passed
    late = gate_result(finding("VET301", "pass"), policy=pol.for_stage("limited"), today=date(2027, 2, 1))
    assert not late.passed and "VET301 waiver expired on 2027-01-31" in late.items[-1].message
    prod = gate_result(failing, policy=pol.for_stage("production"), today=date(2027, 1, 1))
    assert not prod.passed and "waived: VET301" in prod.items[-1].message
    assert [w.check for w in prod.waivers_used] == ["VET301"]


def test_sarif_and_json_name_the_stage() -> None:
    pilot = Policy.load(STAGED).for_stage("pilot")
    res = gate_result(*PILOT_OK, policy=pilot)
    run = json.loads(render_gate_sarif(res))["runs"][0]
    assert run["properties"]["stage"] == "pilot" and run["automationDetails"]["id"] == "ptmvet-gate/pilot/"
    assert {r["requirement"]: r["met"] for r in run["properties"]["requirements"]}["schema-fit"] is False
    assert run["properties"]["policyDigest"] == pilot.digest
    plain = json.loads(render_gate_sarif(gate_result(*PILOT_OK)))["runs"][0]
    assert plain["properties"]["stage"] is None and "automationDetails" not in plain


def test_policy_schema_accepts_the_example_and_documents_requirements() -> None:
    from ptmvet.policy import policy_schema

    schema = policy_schema()
    assert set(schema["$defs"]["requirement"]["enum"]) == {r.value for r in Requirement}
    import yaml

    from ptmvet.policy import validate_policy_document

    validate_policy_document(yaml.safe_load(STAGED.read_text()), source=str(STAGED))


def test_unmet_requirement_names_the_blocking_check_for_sarif() -> None:
    pilot = Policy.load(STAGED).for_stage("pilot")
    findings = [f for f in PILOT_OK if f.check_id != "VET102"] + [finding("VET102", "fail", "no datasets")]
    res = gate_result(*findings, policy=pilot)
    stage_items = {i.requirement.value: i.check_id for i in res.items if i.rule == "stage" and i.requirement}
    assert stage_items == {"provenance-declared": "VET102", "schema-fit": None}
    results = json.loads(render_gate_sarif(res))["runs"][0]["results"]
    assert any(r["ruleId"] == "VET102" and r["properties"]["rule"] == "stage" and r["level"] == "error" for r in results)
