"""The `ptmvet scan` command: exit codes, JSON, --fail-on, files not analysed."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from tests.scan.corpus_build import Payload

from ptmvet.cli import main


def test_cli_scan_exit_codes_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.pkl"
    bad.write_bytes(pickle.dumps(Payload(eval, ("1",))))
    good = tmp_path / "good.pkl"
    good.write_bytes(pickle.dumps({"a": 1}))
    assert main(["scan", str(good)]) == 0
    assert "safe" in capsys.readouterr().out
    assert main(["scan", str(tmp_path), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema_version"] == 2 and doc["verdict"] == "dangerous"
    assert {Path(f["path"]).name: f["verdict"] for f in doc["files"]} == {"bad.pkl": "dangerous", "good.pkl": "safe"}
    custom = tmp_path / "custom.pkl"
    custom.write_bytes(b"\x80\x02cmypkg\nThing\n)\x81.")
    assert main(["scan", str(custom)]) == 1  # fail closed: an unknown global fails by default
    capsys.readouterr()
    assert main(["scan", str(custom), "--fail-on", "dangerous"]) == 0
    capsys.readouterr()
    (tmp_path / "README.md").write_text("# a model\n")
    assert main(["scan", str(tmp_path), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert {Path(f["path"]).name for f in doc["not_analysed"]} == {"README.md"}
    assert main(["scan", str(tmp_path / "missing")]) == 3


def test_cli_scan_weight_file_not_analysed_reaches_unknown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ptmvet.scan.api import scan_paths
    from ptmvet.scan.model import Verdict
    from ptmvet.scan.result import ScanResult

    weights = tmp_path / "model.safetensors"  # only a Git LFS pointer: the weights are not here to analyse
    weights.write_text("version https://git-lfs.github.com/spec/v1\noid sha256:" + "a" * 64 + "\nsize 12345\n")
    result = ScanResult.of(scan_paths([str(tmp_path)], None, keep_skipped=True))
    assert result.weights_not_analysed == (str(weights),)
    assert result.verdict is Verdict.UNKNOWN
    assert result.reaches(Verdict.UNKNOWN) and not result.reaches(Verdict.DANGEROUS)
    assert main(["scan", str(tmp_path)]) == 1  # fail closed by default
    capsys.readouterr()
    assert main(["scan", str(tmp_path), "--fail-on", "dangerous"]) == 0
