"""The typed report: evidence kept, typed results, overall verdict, scoring that never rewards missing evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from ptmvet.card import Claim
from ptmvet.checks.interface import Attribute, CheckMeta, Outcome, Severity
from ptmvet.errors import UsageError
from ptmvet.evidence import Evidence, Target
from ptmvet.evidence.licenses import IntendedUse
from ptmvet.evidence.measurement import ClaimVerdict, Measurement, Unverifiable
from ptmvet.pipeline import VetOptions, vet
from ptmvet.policy import Policy
from ptmvet.report import SCHEMA_VERSION, Decision, score_findings

T = Target(name="m", source="local")


def _meta(cid: str, attr: Attribute, sev: Severity = Severity.MEDIUM) -> CheckMeta:
    return CheckMeta(id=cid, slug=cid.lower(), attribute=attr, severity=sev, summary="s", remedy="r")


def test_skipped_and_error_findings_count_against_the_attribute() -> None:
    a, b, c = (_meta(f"VET80{i}", Attribute.CLAIMS) for i in (1, 2, 3))
    only_pass = [a.passed("ok")]
    assert score_findings(only_pass)[Attribute.CLAIMS] == 10.0
    with_skip = [a.passed("ok"), b.skipped("no data"), c.finding(Outcome.ERROR, "crashed")]
    assert score_findings(with_skip)[Attribute.CLAIMS] == pytest.approx(3.3)
    nothing_looked = [a.skipped("no data"), b.skipped("no data")]
    assert score_findings(nothing_looked)[Attribute.CLAIMS] is None  # not assessable, not 0 and not 10
    assert score_findings([a.not_applicable("no claims"), b.passed("ok")])[Attribute.CLAIMS] == 10.0


def _package(root: Path, card: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "README.md").write_text(card, encoding="utf-8")
    (root / "config.json").write_text('{"model_type": "bert"}', encoding="utf-8")
    return root


def test_vet_keeps_the_enriched_evidence_and_typed_results(tmp_path: Path) -> None:
    pkg = _package(tmp_path / "m", "---\nlicense: cc-by-nc-4.0\nbase_model: org/base\n---\n# M\n")
    report = vet(pkg, VetOptions(offline=True, intended_use="commercial"))
    assert report.evidence is not None and report.evidence.integrity is not None
    assert report.evidence.intended_use is IntendedUse.COMMERCIAL
    assert report.license is not None and report.license.spdx == "CC-BY-NC-4.0"
    assert report.license.status.value == "conflict"  # non-commercial licence, commercial use
    assert report.summary.license == "cc-by-nc-4.0" and report.summary.base_model == ("org/base",)
    # Not looked up offline, but the base model the card names is in the lineage (never "no base model").
    assert report.lineage is not None and report.lineage.skipped
    assert [e.parent for e in report.lineage.edges] == ["org/base"]
    data = report.to_dict()
    assert data["schema_version"] == SCHEMA_VERSION == 3
    assert data["sections"]["license"]["use_verdict"]["status"] == "conflict"
    assert data["sections"]["lineage"]["edges"][0]["parent"] == "org/base"


def test_every_report_carries_its_overall_verdict_with_reasons(tmp_path: Path) -> None:
    pkg = _package(tmp_path / "m", "---\nlicense: cc-by-nc-4.0\n---\n# M\n")
    report = vet(pkg, VetOptions(offline=True))
    assert report.verdict is not None and report.verdict.policy == "default"
    assert report.verdict.decision is Decision.FAIL  # VET503: commercial use of a non-commercial licence
    assert any("VET503" in r for r in report.verdict.reasons)
    assert report.to_dict()["verdict"]["decision"] == "fail"
    research = vet(pkg, VetOptions(offline=True), policy=Policy.research())
    assert research.verdict is not None and research.verdict.policy == "research"


def test_intended_use_is_an_enum_and_a_bad_value_is_an_error() -> None:
    assert Evidence(target=T, intended_use="research").intended_use is IntendedUse.RESEARCH  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        Evidence(target=T, intended_use="resale")  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        VetOptions(intended_use="resale")


def _m(verdict: str, cause: Unverifiable | None = None, reason: str | None = None) -> Measurement:
    claim = Claim(task_type="text-classification", dataset_name="x", dataset_type="x", metric_type="accuracy", value=90.0)
    return Measurement(claim=claim, task=None, dataset="x", split=None, metric="accuracy", claimed=90.0, verdict=verdict, cause=cause, reason=reason)  # type: ignore[arg-type]


def test_measurement_verdicts_are_enums_and_a_bad_one_is_an_error() -> None:
    assert _m("overstated").verdict is ClaimVerdict.OVERSTATED
    assert _m("overstated").to_dict()["verdict"] == "overstated"
    with pytest.raises(ValueError, match="nearly"):
        _m("nearly")


def test_a_parent_named_only_in_config_is_in_the_lineage_too(tmp_path: Path) -> None:
    pkg = tmp_path / "m"
    pkg.mkdir()
    (pkg / "README.md").write_text("---\nlicense: mit\n---\n# M\n\nFine-tuned for search.\n", encoding="utf-8")
    (pkg / "config.json").write_text('{"model_type": "bert", "_name_or_path": "acme-labs/parent-base"}', encoding="utf-8")
    report = vet(pkg, VetOptions(offline=True))
    (vet101,) = [f for f in report.findings if f.check_id == "VET101"]
    assert vet101.outcome is Outcome.PASS and "acme-labs/parent-base" in vet101.details["base_models"]
    assert report.lineage is not None
    assert [(e.parent, e.inferred) for e in report.lineage.edges] == [("acme-labs/parent-base", True)]


@pytest.mark.parametrize("fmt", ["terminal", "md", "html", "json"])
def test_the_overall_verdict_is_at_the_top_of_every_format(tmp_path: Path, fmt: str) -> None:
    from ptmvet.formats import render

    pkg = _package(tmp_path / "m", "---\nlicense: cc-by-nc-4.0\n---\n# M\n")
    report = vet(pkg, VetOptions(offline=True))
    text = render(report, fmt)
    assert report.verdict is not None
    reason = report.verdict.reasons[0]
    if fmt == "json":
        assert '"decision": "fail"' in text and text.index('"verdict"') < text.index('"findings"')
        return
    head = "FAIL under policy 'default'"
    if fmt == "html":
        import html

        head, reason = html.escape(head), html.escape(reason)
    first_finding = text.index("VET101") if "VET101" in text else len(text)
    assert text.index(head) < first_finding
    assert text.index(head) < text.index("Licence")  # above the facts
    assert reason.split(":")[0] in text[: text.index("Licence")]  # the reasons come with it


def test_check_takes_the_policy_of_its_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ptmvet.cli import main

    pkg = _package(tmp_path / "m", "---\nlicense: cc-by-nc-4.0\n---\n# M\n")
    assert main(["check", str(pkg), "--offline", "--format", "md", "--policy", "research"]) == 0
    assert "under policy 'research'" in capsys.readouterr().out


def test_summary_weight_formats_are_judged_by_content_as_vet301_is(tmp_path: Path) -> None:
    # Safetensors bytes under a .bin name: the header said "pickle" beside VET301's "safetensors".
    np = pytest.importorskip("numpy")
    st = pytest.importorskip("safetensors.numpy")
    st.save_file({"w": np.zeros(4, dtype=np.float32)}, str(tmp_path / "pytorch_model.bin"))
    (tmp_path / "README.md").write_text("---\nlicense: mit\n---\n# m\n")
    report = vet(tmp_path)
    assert report.summary.weight_formats == ("safetensors",)
    (vet301,) = [f for f in report.findings if f.check_id == "VET301"]
    assert vet301.outcome is Outcome.PASS and vet301.details["formats"] == ["safetensors"]
