"""Data the user names must open, and no module of a sentence model loads from a pickle."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ptmvet.cli import main
from ptmvet.evaluate.tasks.interface import RefusedWeights, RunOptions
from ptmvet.evaluate.tasks.sentence_similarity import load_sentence_model


def test_reproduce_with_unreadable_data_is_an_input_error(minilm_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    rc = main(["reproduce", str(minilm_path), "--data", str(empty), "--claim", "stsb/test:spearman=82"])
    assert rc == 3
    assert str(empty) in capsys.readouterr().err
    rc = main(["reproduce", str(minilm_path), "--data", str(tmp_path / "missing.csv"), "--claim", "stsb/test:spearman=82"])
    assert rc == 3


def test_a_dense_module_in_pickle_is_refused(minilm_path: Path, tmp_path: Path) -> None:
    model = tmp_path / "st"
    shutil.copytree(minilm_path, model, ignore=shutil.ignore_patterns("model.safetensors"))
    (model / "model.safetensors").symlink_to(minilm_path / "model.safetensors")
    modules = json.loads((model / "modules.json").read_text())
    modules.append({"idx": len(modules), "name": str(len(modules)), "path": "2_Dense", "type": "sentence_transformers.models.Dense"})
    (model / "modules.json").write_text(json.dumps(modules))
    (model / "2_Dense").mkdir()
    (model / "2_Dense" / "pytorch_model.bin").write_bytes(b"\x80\x04N.")  # never loaded
    with pytest.raises(RefusedWeights, match=r"2_Dense/pytorch_model\.bin"):
        load_sentence_model(model, RunOptions())
