"""Claim parsing, claims files, data reading, column inference, claim matching and label maps."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ptmvet.card import Claim
from ptmvet.errors import InputError, UsageError
from ptmvet.evaluate.claims import load_claims_file, parse_claim
from ptmvet.evaluate.datasets import infer_columns, match_claim, open_dataset
from ptmvet.evaluate.labels import build_label_map, check_permutation
from ptmvet.evaluate.metrics import confusion_matrices


@pytest.mark.parametrize(
    ("spec", "want"),
    [
        ("stsb:spearman=82.03", ("stsb", None, None, "spearman", 82.03, None)),
        ("glue:sst2/validation:accuracy=91.3", ("glue", "sst2", "validation", "accuracy", 91.3, None)),
        ("mteb/stsbenchmark-sts/test:spearman=0.8203", ("mteb/stsbenchmark-sts", None, "test", "spearman", 0.8203, None)),
        ("mteb/stsbenchmark-sts:spearman=82", ("mteb/stsbenchmark-sts", None, None, "spearman", 82.0, None)),
        ("text-classification@imdb/test:f1=90%", ("imdb", None, "test", "f1", 90.0, "text-classification")),
    ],
)
def test_parse_claim(spec: str, want: tuple[object, ...]) -> None:
    c = parse_claim(spec)
    assert (c.dataset, c.dataset_config, c.dataset_split, c.metric, c.value, c.task_type) == want
    assert c.source == "cli"


@pytest.mark.parametrize("bad", ["stsb=82", "stsb:spearman", ":spearman=3", "stsb:spearman=high"])
def test_parse_claim_rejects(bad: str) -> None:
    with pytest.raises(UsageError):
        parse_claim(bad)


def test_claims_file(tmp_path: Path) -> None:
    f = tmp_path / "claims.yaml"
    f.write_text(
        "version: 1\nclaims:\n  - dataset: stsb\n    split: test\n    metric: spearman\n    value: 82.03\n"
        "    data: sts.csv\n    columns: {score: gold}\n"
    )
    (spec,) = load_claims_file(f)
    assert spec.claim.metric == "spearman" and spec.claim.value == 82.03 and spec.claim.source == "user"
    assert spec.data == (tmp_path / "sts.csv").resolve()
    assert spec.columns == {"score": "gold"}
    f.write_text("version: 1\nclaims:\n  - dataset: x\n    metric: f1\n    value: 3\n    colour: red\n")
    with pytest.raises(UsageError, match="unknown keys"):
        load_claims_file(f)
    f.write_text("model-index:\n- name: m\n  results:\n  - task: {type: text-classification}\n    dataset: {type: imdb, name: IMDB, split: test}\n    metrics: [{type: accuracy, value: 0.93}]\n")
    (spec,) = load_claims_file(f)
    assert spec.claim.dataset == "imdb" and spec.claim.value == 0.93


def test_headerless_tab_file_with_ragged_rows(tmp_path: Path) -> None:
    f = tmp_path / "sts-test.csv"
    rows = [
        "main-captions\tMSRvid\t2012test\t0001\t2.500\tA girl is styling her hair.\tA girl is brushing her hair.",
        'main-news\theadlines\t2013\t0002\t4.000\tHe said "yes" to the plan today.\tHe agreed to the plan today.\textra\tfield',
        "main-forums\tanswers\t2015\t0003\t0.000\tThe cat sat on the mat quietly.\tStocks fell sharply on Monday.",
    ]
    f.write_text("\n".join(rows) + "\n")
    ds = open_dataset(f)
    assert not ds.header and ds.split == "test" and ds.format == "tsv"
    cm = infer_columns(ds, "sentence-similarity")
    batch = next(ds.batches())
    assert batch[cm["score"]] == ["2.500", "4.000", "0.000"]
    assert batch[cm["sentence1"]][1] == 'He said "yes" to the plan today.'
    assert sum(len(b[cm["score"]]) for b in ds.batches(2)) == 3


def test_jsonl_parquet_and_save_to_disk(tmp_path: Path) -> None:
    import datasets
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [{"text": f"row {i}", "label": i % 2} for i in range(10)]
    (tmp_path / "d.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "d.parquet")
    feats = datasets.Features({"text": datasets.Value("string"), "label": datasets.ClassLabel(names=["neg", "pos"])})
    datasets.DatasetDict({"test": datasets.Dataset.from_list(rows, features=feats)}).save_to_disk(str(tmp_path / "saved"))
    for src in ("d.jsonl", "d.parquet", "saved"):
        ds = open_dataset(tmp_path / src, split="test")
        assert infer_columns(ds, "text-classification").roles == {"text": "text", "label": "label"}
        got = [v for b in ds.batches(3) for v in b["label"]]
        assert got == [r["label"] for r in rows]
    assert open_dataset(tmp_path / "saved", split="test").label_names == ("neg", "pos")


def test_overrides_and_missing_columns(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("review,stars\ngreat film,1\nawful film,0\n")
    ds = open_dataset(f)
    assert infer_columns(ds, "text-classification", {"label": "stars"}).roles == {"text": "review", "label": "stars"}
    with pytest.raises(InputError, match="cannot tell which columns"):
        infer_columns(ds, "sentence-similarity")
    with pytest.raises(UsageError):
        infer_columns(ds, "text-classification", {"label": "nope"})


def test_match_claim_by_name_config_split(tmp_path: Path) -> None:
    for rel in ("stsbenchmark/sts-test.csv", "stsbenchmark/sts-dev.csv", "glue/sst2/validation.tsv", "imdb/train.csv"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("a,b\n1,2\n")
    c = Claim(task_type=None, dataset_name="STS Benchmark", dataset_type="mteb/stsbenchmark-sts", metric_type="spearman", value=1.0, dataset_split="test")
    assert match_claim(c, tmp_path)[0] == tmp_path / "stsbenchmark/sts-test.csv"
    c = Claim(task_type=None, dataset_name="GLUE", dataset_type="glue", metric_type="accuracy", value=1.0, dataset_config="sst2", dataset_split="validation")
    assert match_claim(c, tmp_path)[0] == tmp_path / "glue/sst2/validation.tsv"
    c = Claim(task_type=None, dataset_name="imdb", dataset_type="imdb", metric_type="accuracy", value=1.0, dataset_split="test")
    path, why = match_claim(c, tmp_path)
    assert path is None and "imdb" in why


def test_label_map_by_names_generic_and_permutation() -> None:
    lm = build_label_map({0: "NEGATIVE", 1: "POSITIVE"}, ["pos", "neg", "pos"])
    assert lm.method == "names" and lm.encode("neg") == 0 and lm.encode("pos") == 1
    lm = build_label_map({0: "LABEL_0", 1: "LABEL_1"}, [0, 1, 1], ["negative", "positive"])
    assert lm.method == "index" and lm.encode(1) == 1 and lm.notes
    lm = build_label_map({0: "LABEL_0", 1: "LABEL_1"}, ["1", "0"])
    assert lm.encode("1") == 1
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    swapped = np.array([1, 0, 2])[y]
    perm = check_permutation(confusion_matrices(y, swapped, 3), ["a", "b", "c"])
    assert perm.suspect and perm.best_accuracy == 1.0 and perm.suggested == {"b": "a", "a": "b"}
    assert not check_permutation(confusion_matrices(y, y, 3), ["a", "b", "c"]).suspect
