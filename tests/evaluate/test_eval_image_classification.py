"""Image classification: a tiny random ViT, generated images labelled with its own predictions."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest

from ptmvet.card import Claim
from ptmvet.evaluate.runner import ReproduceOptions, reproduce


def _claim(value: float, metric: str = "accuracy") -> Claim:
    return Claim(task_type="image-classification", dataset_name="toy-img", dataset_type="toy-img", metric_type=metric, value=value)


def test_image_folder_true_claim_consistent_inflated_overstated(tiny_vit: tuple[Path, Path, list[str]], tmp_path: Path) -> None:
    from sklearn.metrics import accuracy_score

    mdir, raw, pred = tiny_vit
    files = sorted(raw.iterdir())
    rng = np.random.default_rng(11)
    names = sorted(set(pred))
    gold = [str(rng.choice([n for n in names if n != p])) if rng.random() < 0.2 and len(names) > 1 else p for p in pred]
    folder = tmp_path / "toy-img" / "test"
    for f, g in zip(files, gold, strict=True):
        (folder / g).mkdir(parents=True, exist_ok=True)
        shutil.copy(f, folder / g / f.name)
    ref = float(accuracy_score(gold, pred))
    assert 0.6 < ref < 0.95
    ms = reproduce(mdir, [_claim(round(ref * 100, 2)), _claim(round(ref * 100 + 12, 2))], data=folder,
                   options=ReproduceOptions(resamples=300))
    assert [m.verdict for m in ms] == ["consistent", "overstated"]
    assert ms[0].measured == pytest.approx(ref * 100) and ms[0].n == len(files)
    assert ms[0].label_map is not None and ms[0].label_map["method"] == "names"
    assert list(ms[0].provenance["weight_files"]) == ["model.safetensors"]


def test_image_paths_in_a_csv_with_grayscale(tiny_vit: tuple[Path, Path, list[str]], tmp_path: Path) -> None:
    from PIL import Image

    mdir, raw, pred = tiny_vit
    files = sorted(raw.iterdir())[:30]
    (tmp_path / "img").mkdir()
    for f in files:
        shutil.copy(f, tmp_path / "img" / f.name)
    data = tmp_path / "test.csv"
    with data.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["image", "label"])
        w.writerows([f"img/{f.name}", p] for f, p in zip(files, pred[:30], strict=True))
    (m,) = reproduce(mdir, [_claim(100.0)], data=data, options=ReproduceOptions(resamples=100))
    assert m.verdict == "consistent" and m.measured == pytest.approx(100.0) and m.n == 30
    Image.open(files[0]).convert("L").save(tmp_path / "img" / files[0].name)  # one grey image: converted to RGB, still runs
    (m,) = reproduce(mdir, [_claim(100.0)], data=data, options=ReproduceOptions(resamples=100))
    assert m.measured is not None and m.n == 30
    (tmp_path / "img" / files[1].name).write_bytes(b"broken")
    (m,) = reproduce(mdir, [_claim(100.0)], data=data, options=ReproduceOptions(resamples=100))
    assert m.verdict == "not-verifiable" and m.reason is not None and "not a readable image" in m.reason
