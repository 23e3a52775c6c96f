"""--device and the batch size chosen from free memory; throughput in the provenance."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from ptmvet.card import Claim
from ptmvet.errors import UsageError
from ptmvet.evaluate.runner import ReproduceOptions, reproduce
from ptmvet.evaluate.tasks.interface import RunOptions, choose_batch_size, resolve_device, resolve_run_options


def test_resolve_device() -> None:
    torch = pytest.importorskip("torch")
    assert resolve_device("cpu") == "cpu"
    auto = resolve_device("auto")
    assert auto == ("cuda" if torch.cuda.is_available() else auto)
    assert auto in ("cuda", "mps", "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(UsageError, match="no CUDA device"):
            resolve_device("cuda")
    with pytest.raises(UsageError, match="unknown device"):
        resolve_device("tpu")


def test_batch_size_follows_free_memory(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"hidden_size": 384, "intermediate_size": 1536, "num_attention_heads": 12,
                                                      "max_position_embeddings": 512}))
    small = choose_batch_size(tmp_path, "cuda", free=512 * 2**20)
    big = choose_batch_size(tmp_path, "cuda", free=80 * 2**30)
    assert 1 <= small < big <= 512 and big & (big - 1) == 0  # a power of two
    assert choose_batch_size(tmp_path, "cpu", free=80 * 2**30) == 64  # CPUs gain nothing from huge batches
    assert choose_batch_size(tmp_path, "cuda", free=1) == 1
    opts = resolve_run_options(RunOptions(batch_size=7), tmp_path)
    assert opts.batch_size == 7 and opts.device == "cpu"
    assert resolve_run_options(RunOptions(), tmp_path).batch_size is not None


def test_provenance_has_device_batch_and_throughput(tmp_path: Path) -> None:
    pytest.importorskip("skops")
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from skops.io import dump

    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 2))
    y = (x[:, 0] > 0).astype(int)
    dump(LogisticRegression().fit(x, y), tmp_path / "m.skops")
    data = tmp_path / "t.csv"
    with data.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["a", "b", "label"])
        w.writerows([*r, int(t)] for r, t in zip(x.tolist(), y, strict=True))
    claim = Claim(task_type="tabular-classification", dataset_name="t", dataset_type="t", metric_type="accuracy", value=0.9)
    (m,) = reproduce(tmp_path / "m.skops", [claim], data=data, options=ReproduceOptions(resamples=10, run=RunOptions(device="auto")))
    prov = m.provenance
    assert prov["device"] in ("cpu", "cuda", "mps") and isinstance(prov["batch_size"], int) and prov["batch_size"] >= 1
    assert prov["rows"] == 80 and prov["rows_per_second"] is not None and prov["rows_per_second"] > 0


def test_reproduce_on_a_missing_gpu_is_bad_usage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    from ptmvet.cli import main

    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "config.json").write_text("{}")
    assert main(["reproduce", str(tmp_path / "m"), "--claim", "stsb:spearman=82", "--device", "cuda"]) == 2
    assert "no CUDA device" in capsys.readouterr().err
