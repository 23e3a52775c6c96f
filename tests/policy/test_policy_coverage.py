"""A run that leaves checks out (--only) or switches analysis off (--no-scan, --no-hash) never passes a gate."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from tests.scan.corpus_build import Payload

from ptmvet.checks import REGISTRY
from ptmvet.checks.interface import Attribute, Outcome
from ptmvet.cli import main
from ptmvet.enrich import VetOptions
from ptmvet.pipeline import vet
from ptmvet.policy import GateStatus, Policy, gate


@pytest.fixture
def payload_package(tmp_path: Path) -> Path:
    """A safetensors package with a pickle beside it that runs os.system when loaded (never loaded here)."""
    np = pytest.importorskip("numpy")
    st = pytest.importorskip("safetensors.numpy")
    root = tmp_path / "pkg"
    root.mkdir()
    st.save_file({"w": np.zeros(4, dtype=np.float32)}, str(root / "model.safetensors"))
    (root / "extra.bin").write_bytes(pickle.dumps({"w": Payload(os.system, ("true",))}, protocol=2))
    (root / "README.md").write_text("---\nlicense: apache-2.0\n---\n# A model\n")
    return root


@pytest.mark.parametrize("preset", ["default", "strict", "research"])
def test_no_scan_never_passes_a_dangerous_package(payload_package: Path, preset: str) -> None:
    scanned = gate(vet(payload_package), Policy.preset(preset))
    assert not scanned.passed
    report = vet(payload_package, VetOptions(deep_scan=False))
    result = gate(report, Policy.preset(preset))
    assert not result.passed
    assert any(i.rule == "coverage" and "--no-scan" in i.message for i in result.items if i.status is GateStatus.FAIL)
    assert report.verdict is not None and any("--no-scan" in r for r in report.verdict.reasons)


def test_no_hash_is_named_and_the_signature_is_not_called_matching(payload_package: Path) -> None:
    report = vet(payload_package, VetOptions(hash_files=False))
    assert "--no-hash" in " ".join(report.not_vetted)
    assert not gate(report, Policy.default()).passed


def test_only_scores_unrun_checks_as_misses_and_fails_the_gate(minilm_path: Path) -> None:
    report = vet(minilm_path, VetOptions(checks=("VET101",), deep_scan=False, hash_files=False))
    by_id = {f.check_id: f for f in report.findings}
    assert set(by_id) == {c.meta.id for c in REGISTRY}
    assert by_id["VET101"].outcome is Outcome.PASS
    assert all(f.outcome is Outcome.SKIPPED and "--only" in f.message for cid, f in by_id.items() if cid != "VET101")
    # One passing check of seven is not a full provenance score.
    score = report.scores[Attribute.PROVENANCE]
    assert score is not None and score < 10
    assert report.verdict is not None and report.verdict.reasons
    assert "only 1 of" in report.verdict.reasons[0]


def test_gate_command_exits_1_under_no_scan(payload_package: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gate", str(payload_package), "--no-scan"]) == 1
    assert "not fully vetted" in capsys.readouterr().out


def test_check_fail_on_does_not_read_a_switched_off_scan_as_a_pass(payload_package: Path) -> None:
    assert main(["check", str(payload_package), "--fail-on", "critical", "-f", "json", "-o", str(payload_package.parent / "r.json")]) == 1
    assert main(["check", str(payload_package), "--no-scan", "--fail-on", "critical", "-f", "json", "-o", str(payload_package.parent / "r.json")]) == 1
    assert main(["check", str(payload_package), "--no-scan", "-f", "json", "-o", str(payload_package.parent / "r.json")]) == 0
