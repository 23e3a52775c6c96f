"""VET7xx checks over scanned evidence, the audit enricher and the `ptmvet scan` command."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import pytest
from tests.scan.corpus_build import Payload

from ptmvet.checks import safety
from ptmvet.checks.interface import Outcome, run_check
from ptmvet.cli import main
from ptmvet.enrich.scan import scan_enricher
from ptmvet.evidence import Evidence, FileEntry, Target
from ptmvet.pipeline import VetOptions


def _evidence(folder: Path) -> Evidence:
    files = tuple(FileEntry(path=p.relative_to(folder).as_posix(), size=p.stat().st_size, local=True) for p in sorted(folder.rglob("*")) if p.is_file())
    ev = Evidence(target=Target(name=folder.name, source="local", local_path=str(folder)), files=files)
    return scan_enricher(ev, VetOptions.default(), None)


def _outcomes(ev: Evidence) -> dict[str, list[Outcome]]:
    return {c.meta.id: [f.outcome for f in run_check(c, ev)] for c in safety.CHECKS}


def test_pickle_only_package_with_payload(tmp_path: Path) -> None:
    (tmp_path / "pytorch_model.bin").write_bytes(pickle.dumps({"w": Payload(os.system, ("true",))}, protocol=2))
    (tmp_path / "config.json").write_text("{}")
    out = _outcomes(_evidence(tmp_path))
    assert out["VET701"] == [Outcome.FAIL]
    assert out["VET702"] == [Outcome.FAIL]
    assert out["VET703"] == [Outcome.PASS]
    assert out["VET704"] == [Outcome.FAIL]
    assert out["VET705"] == [Outcome.PASS]


def test_clean_package_with_safetensors(tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    st = pytest.importorskip("safetensors.numpy")
    st.save_file({"w": np.zeros(4, dtype=np.float32)}, str(tmp_path / "model.safetensors"))
    (tmp_path / "pytorch_model.bin").write_bytes(pickle.dumps({"w": np.zeros(4)}, protocol=4))
    (tmp_path / "custom.pkl").write_bytes(b"\x80\x02cmypkg.layers\nHead\n)\x81.")
    out = _outcomes(_evidence(tmp_path))
    assert out["VET701"] == [Outcome.PASS]
    assert out["VET702"] == [Outcome.PASS]
    assert out["VET703"] == [Outcome.FAIL]
    assert out["VET704"] == [Outcome.PASS]
    assert out["VET705"] == [Outcome.PASS]


def test_malformed_and_mislabelled(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{}")
    (tmp_path / "weights.safetensors").write_bytes(pickle.dumps([1, 2], protocol=2))
    out = _outcomes(_evidence(tmp_path))
    assert Outcome.FAIL in out["VET705"]
    assert Outcome.FAIL in out["VET701"]  # a pickle named .safetensors


def test_skipped_without_local_files() -> None:
    ev = Evidence(target=Target(name="org/m", source="hub", repo_id="org/m"), files=(FileEntry(path="pytorch_model.bin", size=10, local=False),))
    for c in safety.CHECKS:
        assert [f.outcome for f in run_check(c, ev)] == [Outcome.SKIPPED]


def test_real_trainer_folder(corpora: Path) -> None:
    folder = corpora / "hf-model-repos-github-mirrors" / "trainer-output__distilbert-base-uncased-finetuned-sst2"
    out = _outcomes(_evidence(folder))
    assert out["VET702"] == [Outcome.PASS]
    assert out["VET703"] == [Outcome.PASS]


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
