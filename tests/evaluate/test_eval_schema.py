"""``ptmvet schema``: columns, labels, token lengths, images and features against what the model expects."""

from __future__ import annotations

import csv
import json
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from ptmvet.cli import main
from ptmvet.evaluate import demo_data
from ptmvet.evaluate.schema import check_schema


def test_minilm_on_the_bundled_sample_fits_and_counts_truncation(minilm_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tokenizers import Tokenizer

    rep = check_schema(minilm_path, demo_data())
    assert rep.fits and rep.task == "sentence-similarity"
    assert rep.roles == {"sentence1": "sentence1", "sentence2": "sentence2", "score": "score"}
    assert rep.text is not None and rep.text["max_tokens"] == 256 and rep.text["truncated"] == 0
    # reference: token counts of each sentence with the package's tokenizer, truncation off
    tok = Tokenizer.from_file(str(minilm_path / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    with demo_data().open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    longest = [max(len(tok.encode(r["sentence1"]).ids), len(tok.encode(r["sentence2"]).ids)) for r in rows]
    limit = 16
    short = check_schema(minilm_path, demo_data(), max_length=limit, chunk_rows=50)
    assert short.text is not None and short.text["truncated"] == sum(n > limit for n in longest)
    assert short.text["longest"] == max(longest) and short.rows == len(rows)
    assert short.fits and any("truncated" in w for w in short.warnings)
    assert main(["schema", str(minilm_path), "--data", str(demo_data()), "--max-length", str(limit), "--strict"]) == 1
    capsys.readouterr()
    assert main(["schema", str(minilm_path), "--data", str(demo_data()), "-f", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["fits"] is True and doc["rows"] == len(rows) and doc["schema_version"] == 1
    assert {c["name"]: c["type"] for c in doc["columns"]}["score"] == "float"


def test_token_labels_against_the_model(tiny_token_model: tuple[Path, list[list[str]], list[list[str]]], tmp_path: Path) -> None:
    mdir, sents, preds = tiny_token_model
    good = tmp_path / "ner.jsonl"
    good.write_text("".join(json.dumps({"tokens": s, "ner_tags": p}) + "\n" for s, p in zip(sents, preds, strict=True)))
    rep = check_schema(mdir, good)
    assert rep.fits, rep.problems
    assert rep.task == "token-classification" and rep.roles == {"tokens": "tokens", "tags": "ner_tags"}
    assert rep.labels is not None and set(rep.labels["data_labels"]) == {t for p in preds for t in p}
    bad = tmp_path / "ner-bad.jsonl"
    bad.write_text("".join(json.dumps({"tokens": s, "ner_tags": ["B-MISC", *p[1:]]}) + "\n" for s, p in zip(sents, preds, strict=True)))
    rep = check_schema(mdir, bad)
    assert not rep.fits and any("'B-MISC'" in p and f"{len(sents)} tags" in p for p in rep.problems)
    assert main(["schema", str(mdir), "--data", str(bad)]) == 1


def test_images_sizes_channels_and_unreadable(tiny_vit: tuple[Path, Path, list[str]], tmp_path: Path) -> None:
    from PIL import Image

    mdir, raw, _ = tiny_vit
    folder = tmp_path / "imgs"
    for i, f in enumerate(sorted(raw.iterdir())[:12]):
        (folder / ("cat" if i % 2 else "dog")).mkdir(parents=True, exist_ok=True)
        im = Image.open(f)
        (im.convert("L") if i == 0 else im).save(folder / ("cat" if i % 2 else "dog") / f.name)
    rep = check_schema(mdir, folder)
    assert rep.fits, rep.problems
    assert rep.images is not None and rep.images["images"] == 12 and rep.images["model_size"] == [32, 32]
    assert rep.images["channels"] == {"3": 11, "1": 1} and rep.images["max_size"] == [40, 32]
    assert any("channels" in w for w in rep.warnings) and any("resizes" in w for w in rep.warnings)
    (folder / "dog" / "broken.png").write_bytes(b"not a png")
    rep = check_schema(mdir, folder)
    assert not rep.fits and rep.images is not None and rep.images["unreadable"] == 1


def _skops_model(tmp_path: Path) -> Path:
    import pandas as pd
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from skops.io import dump

    iris = load_iris(as_frame=True)
    x = iris.data.iloc[:, :2].rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
    model = LogisticRegression(max_iter=300).fit(x, iris.target)
    assert isinstance(x, pd.DataFrame)
    path = tmp_path / "iris.skops"
    dump(model, path)
    return path


def test_skops_feature_names_and_count(tmp_path: Path) -> None:
    model = _skops_model(tmp_path)
    ok = tmp_path / "ok.csv"
    ok.write_text("sepal_length,sepal_width,notes,label\n5.1,3.5,x,0\n6.2,2.9,y,1\n")
    rep = check_schema(model, ok)
    assert rep.fits, rep.problems
    assert rep.features is not None and rep.features["model_features"] == ["sepal_length", "sepal_width"]
    assert rep.features["ignored_columns"] == ["notes"]
    assert rep.labels is not None and rep.labels["model_labels"] == ["0", "1", "2"]
    missing = tmp_path / "missing.csv"
    missing.write_text("sepal_length,petal,label\n5.1,3.5,0\n6.2,oops,7\n")
    rep = check_schema(model, missing)
    assert not rep.fits
    text = " ".join(rep.problems)
    assert "sepal_width" in text and "'7'" in text


def test_memory_does_not_grow_with_rows(tmp_path: Path) -> None:
    model = _skops_model(tmp_path)
    rng = np.random.default_rng(0)

    def write(n: int) -> Path:
        p = tmp_path / f"d{n}.csv"
        with p.open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["sepal_length", "sepal_width", "label"])
            w.writerows([round(a, 2), round(b, 2), int(c)] for a, b, c in zip(rng.random(n), rng.random(n), rng.integers(0, 3, n), strict=True))
        return p

    peaks = []
    for n in (2_000, 20_000):
        data = write(n)
        tracemalloc.start()
        rep = check_schema(model, data, chunk_rows=500)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert rep.rows == n and rep.fits
    assert peaks[1] < peaks[0] * 1.5
