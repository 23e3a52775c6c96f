"""VET7xx checks over evidence the scan enricher built from real files (the scanner itself is tested in tests/scan)."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from tests.scan.corpus_build import Payload
from vetkit import safety_outcomes, scanned

from ptmvet.checks import safety
from ptmvet.checks.interface import Outcome, run_check
from ptmvet.evidence import Evidence, FileEntry, Target


def test_pickle_only_package_with_payload(tmp_path: Path) -> None:
    (tmp_path / "pytorch_model.bin").write_bytes(pickle.dumps({"w": Payload(os.system, ("true",))}, protocol=2))
    (tmp_path / "config.json").write_text("{}")
    out = safety_outcomes(scanned(tmp_path))
    assert out["VET701"] == [Outcome.FAIL]
    assert out["VET702"] == [Outcome.FAIL]
    assert out["VET703"] == [Outcome.PASS]
    assert out["VET704"] == [Outcome.FAIL]
    assert out["VET705"] == [Outcome.PASS]
    # The pass of VET703 must not claim the dangerous global is on the allowlist.
    (unknown,) = run_check(safety.CHECKS[[c.meta.id for c in safety.CHECKS].index("VET703")], scanned(tmp_path))
    assert "on the allowlist" not in unknown.message
    assert "system" in unknown.message and "VET702" in unknown.message


def test_clean_package_with_safetensors(tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    st = pytest.importorskip("safetensors.numpy")
    st.save_file({"w": np.zeros(4, dtype=np.float32)}, str(tmp_path / "model.safetensors"))
    (tmp_path / "pytorch_model.bin").write_bytes(pickle.dumps({"w": np.zeros(4)}, protocol=4))
    (tmp_path / "custom.pkl").write_bytes(b"\x80\x02cmypkg.layers\nHead\n)\x81.")
    out = safety_outcomes(scanned(tmp_path))
    assert out["VET701"] == [Outcome.PASS]
    assert out["VET702"] == [Outcome.PASS]
    assert out["VET703"] == [Outcome.FAIL]
    assert out["VET704"] == [Outcome.PASS]
    assert out["VET705"] == [Outcome.PASS]


def test_malformed_and_mislabelled(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{}")
    (tmp_path / "weights.safetensors").write_bytes(pickle.dumps([1, 2], protocol=2))
    out = safety_outcomes(scanned(tmp_path))
    assert Outcome.FAIL in out["VET705"]
    assert Outcome.FAIL in out["VET701"]  # a pickle named .safetensors


def test_skipped_without_local_files() -> None:
    ev = Evidence(target=Target(name="org/m", source="hub", repo_id="org/m"), files=(FileEntry(path="pytorch_model.bin", size=10, local=False),))
    for c in safety.CHECKS:
        assert [f.outcome for f in run_check(c, ev)] == [Outcome.SKIPPED]


def test_real_trainer_folder(corpora: Path) -> None:
    folder = corpora / "hf-model-repos-github-mirrors" / "trainer-output__distilbert-base-uncased-finetuned-sst2"
    out = safety_outcomes(scanned(folder))
    assert out["VET702"] == [Outcome.PASS]
    assert out["VET703"] == [Outcome.PASS]


@pytest.mark.parametrize("config", ['{"auto_map": {"AutoModel": "x.Y"}', "[1, 2]"], ids=["invalid_json", "json_list"])
def test_unreadable_config_is_not_a_clean_remote_code_pass(tmp_path: Path, config: str) -> None:
    # A config.json the scanner cannot read used to be skipped silently: VET707 passed ("no config asks
    # for trust_remote_code") and the default gate passed, though its auto_map was never looked at.
    np = pytest.importorskip("numpy")
    st = pytest.importorskip("safetensors.numpy")
    st.save_file({"w": np.zeros(4, dtype=np.float32)}, str(tmp_path / "model.safetensors"))
    (tmp_path / "config.json").write_text(config)
    ev = scanned(tmp_path)
    (report,) = [r for r in ev.scan if r.path == "config.json"]
    assert report.format == "hf-config" and [i.code for i in report.issues] == ["not-analysed"]
    out = safety_outcomes(ev)
    assert out["VET706"] == [Outcome.FAIL]
    assert out["VET707"] == [Outcome.SKIPPED]
    assert out["VET709"] == [Outcome.SKIPPED]
    # VET705 names the well-formed file but does not pass while another is not fully analysed
    assert out["VET705"] == [Outcome.SKIPPED]
    (formed,) = run_check({c.meta.id: c for c in safety.CHECKS}["VET705"], ev)
    assert formed.message.startswith("1 file(s) well formed") and "1 not fully analysed" in formed.message


@pytest.mark.parametrize(
    ("check_id", "path", "fmt"),
    [("VET708", "model.h5", "keras-h5"), ("VET710", "saved_model.pb", "savedmodel"), ("VET711", "model.onnx", "onnx")],
)
def test_code_checks_do_not_pass_over_a_file_the_scanner_did_not_finish(check_id: str, path: str, fmt: str) -> None:
    from ptmvet.evidence.scan import ScanIssue, ScanReport, ScanVerdict

    def evidence(issues: tuple[ScanIssue, ...]) -> Evidence:
        report = ScanReport(path=path, format=fmt, verdict=ScanVerdict.UNKNOWN if issues else ScanVerdict.SAFE, issues=issues)
        target = Target(name="m", source="local", local_path="/nonexistent/m")
        return Evidence(target=target, files=(FileEntry(path=path, size=1000, local=True),), scan=(report,))

    check = {c.meta.id: c for c in safety.CHECKS}[check_id]
    cut = ScanIssue("limit-bytes", ScanVerdict.UNKNOWN, "stopped at the 1 GiB limit")
    assert [f.outcome for f in run_check(check, evidence((cut,)))] == [Outcome.SKIPPED]
    assert [f.outcome for f in run_check(check, evidence(()))] == [Outcome.PASS]
