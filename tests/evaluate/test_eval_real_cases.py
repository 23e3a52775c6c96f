"""Re-measuring real packages as a user would: the cases that broke or misled.

LFS pointer weights, a skops pipeline selecting columns by name, a relative image
folder, a claim without a split, a sample of a split, and labels matched by order
that another mapping fits far better.
"""

from __future__ import annotations

import csv
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

from ptmvet.card import Claim
from ptmvet.checks import claims as claim_checks
from ptmvet.checks.interface import Outcome, run_check
from ptmvet.cli import main
from ptmvet.evaluate.datasets import is_data_file, match_claim
from ptmvet.evaluate.runner import ReproduceOptions, reproduce
from ptmvet.evaluate.splits import known_split_size
from ptmvet.evaluate.tasks.interface import RunOptions
from ptmvet.evidence import Evidence, Target

POINTER = (b"version https://git-lfs.github.com/spec/v1\n"
           b"oid sha256:60554cbd7781b09d87f1ececbea8c064b94e49a7f03fd88e8775bfe6cc3d9f88\nsize 267844284\n")


def _text_claim(value: float = 91.3) -> Claim:
    return Claim(task_type="text-classification", dataset_name="sst2", dataset_type="sst2", dataset_split="validation",
                 metric_type="accuracy", value=value)


def _bert_config(folder: Path) -> None:
    from transformers import BertConfig

    folder.mkdir(parents=True, exist_ok=True)
    BertConfig(vocab_size=16, hidden_size=8, num_hidden_layers=1, num_attention_heads=2, intermediate_size=8, num_labels=2).save_pretrained(folder)


def _sst_sample(path: Path, n: int = 30) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh, delimiter="\t")
        w.writerow(["sentence", "label"])
        w.writerows([f"a fine film number {i}", i % 2] for i in range(n))
    return path


# ---------------------------------------------------------------- 1. Git LFS pointers


@pytest.mark.parametrize("weights", ["pytorch_model.bin", "model.safetensors"])
@pytest.mark.parametrize("allow_pickle", [False, True])
def test_lfs_pointer_weights_are_named_with_the_fetch_command(tmp_path: Path, weights: str, allow_pickle: bool) -> None:
    pytest.importorskip("transformers")
    model = tmp_path / "model"
    _bert_config(model)
    (model / weights).write_bytes(POINTER)
    data = _sst_sample(tmp_path / "dev.tsv")
    (m,) = reproduce(model, [_text_claim()], data=data, options=ReproduceOptions(resamples=10, run=RunOptions(allow_pickle=allow_pickle)))
    assert m.verdict == "not-verifiable" and m.reason is not None
    assert m.reason.startswith("missing weights") and "Git LFS pointer" in m.reason and "267,844,284 bytes" in m.reason
    assert "git lfs pull" in m.reason and "huggingface-cli download" in m.reason
    ev = Evidence(target=Target(name="ptr", source="local"), measurements=(m,))
    assert run_check(claim_checks.claims_measurable, ev)[0].outcome is Outcome.FAIL


def test_lfs_pointer_in_the_hf_cache_names_the_hub_id(tmp_path: Path) -> None:
    pytest.importorskip("transformers")
    snap = tmp_path / "hub" / "models--org--tiny" / "snapshots" / "abc123"
    _bert_config(snap)
    (snap / "model.safetensors").write_bytes(POINTER)
    (m,) = reproduce(snap, [_text_claim()], data=_sst_sample(tmp_path / "dev.tsv"), options=ReproduceOptions(resamples=10))
    assert m.reason is not None and "`huggingface-cli download org/tiny`" in m.reason


def test_unloadable_pickle_with_allow_pickle_is_refused_not_an_internal_error(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    model = tmp_path / "model"
    _bert_config(model)
    (model / "pytorch_model.bin").write_bytes(b"vXXXX not a torch archive" * 20)  # never a real pickle: nothing to run
    (m,) = reproduce(model, [_text_claim()], data=_sst_sample(tmp_path / "dev.tsv"),
                     options=ReproduceOptions(resamples=10, run=RunOptions(allow_pickle=True)))
    assert m.verdict == "not-verifiable" and m.reason is not None and m.reason.startswith("refused weights")
    assert "not loadable as tensors only" in m.reason


def test_the_real_distilbert_sst2_mirror(corpora: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = corpora / "hf-model-repos-github-mirrors" / "distilbert-base-uncased-finetuned-sst-2-english"
    data = corpora / "eval-datasets" / "glue-sst2-dev" / "dev.tsv"
    if not model.is_dir() or not data.is_file():
        pytest.skip("the distilbert mirror or SST-2 dev is not in the corpora")
    rc = main(["reproduce", str(model), "--claim", "sst2/validation:accuracy=91.3", "--data", str(data), "--allow-pickle"])
    out = capsys.readouterr().out
    assert rc == 0 and "not-verifiable" in out and "Git LFS pointers" in out and "pytorch_model.bin" in out
    assert "git lfs pull" in out


# ---------------------------------------------------------------- 2. skops pipelines fitted on DataFrames


def _named_pipeline(tmp_path: Path) -> tuple[Path, Path, float]:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("skops")
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    from skops.io import dump

    rng = np.random.default_rng(0)
    n = 400
    df = pd.DataFrame({"b": rng.normal(size=n), "color": rng.choice(["red", "green", "blue"], size=n), "a": rng.normal(size=n)})
    y = ((df.a + (df.color == "red") + rng.normal(scale=0.7, size=n)) > 0.5).astype(int)
    ct = ColumnTransformer([("num", StandardScaler(), ["a", "b"]), ("cat", OneHotEncoder(handle_unknown="ignore"), ["color"])])
    pipe = Pipeline([("ct", ct), ("lr", LogisticRegression())]).fit(df[:300], y[:300])
    dump(pipe, tmp_path / "model.skops")
    test = df[300:]
    ref = float(accuracy_score(y[300:], pipe.predict(test)))
    data = tmp_path / "test.csv"
    # the data's columns in another order than the model's, plus one the model never saw
    test.assign(label=y[300:].to_numpy(), note="x")[["label", "note", "a", "color", "b"]].to_csv(data, index=False)
    return tmp_path / "model.skops", data, ref


def test_skops_column_transformer_selecting_columns_by_name(tmp_path: Path) -> None:
    model, data, ref = _named_pipeline(tmp_path)
    claim = Claim(task_type="tabular-classification", dataset_name="toy", dataset_type="toy", metric_type="accuracy", value=round(ref * 100, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "X does not have valid feature names" would be an error here
        (m,) = reproduce(model, [claim], data=data, options=ReproduceOptions(resamples=100))
    assert m.verdict == "consistent" and m.measured == pytest.approx(ref * 100)
    assert m.n == 100


def test_numeric_skops_model_without_feature_names_still_gets_a_matrix(tmp_path: Path) -> None:
    pytest.importorskip("skops")
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score
    from skops.io import dump

    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 2))
    y = (x[:, 0] + rng.normal(scale=0.5, size=200) > 0).astype(int)
    model = LogisticRegression().fit(x[:100], y[:100])  # a plain array: no feature_names_in_
    dump(model, tmp_path / "m.skops")
    data = tmp_path / "t.csv"
    with data.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["f0", "f1", "label"])
        w.writerows([*r, int(t)] for r, t in zip(x[100:].tolist(), y[100:], strict=True))
    ref = float(accuracy_score(y[100:], model.predict(x[100:])))
    claim = Claim(task_type="tabular-classification", dataset_name="toy", dataset_type="toy", metric_type="accuracy", value=ref)
    (m,) = reproduce(tmp_path / "m.skops", [claim], data=data, options=ReproduceOptions(resamples=50))
    assert m.measured == pytest.approx(ref)


# ---------------------------------------------------------------- 3. relative paths


def test_relative_image_folder_and_csv_paths_relative_to_cwd(tiny_vit: tuple[Path, Path, list[str]], tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    mdir, raw, pred = tiny_vit
    files = sorted(raw.iterdir())[:24]
    for f, p in zip(files, pred, strict=False):
        (tmp_path / "digits-test" / p).mkdir(parents=True, exist_ok=True)
        shutil.copy(f, tmp_path / "digits-test" / p / f.name)
    monkeypatch.chdir(tmp_path)
    claim = Claim(task_type="image-classification", dataset_name="digits", dataset_type="digits", metric_type="accuracy", value=100.0)
    (m,) = reproduce(mdir, [claim], data=Path("digits-test"), options=ReproduceOptions(resamples=20))
    assert m.verdict == "consistent" and m.n == 24 and m.measured == pytest.approx(100.0)
    # a CSV in a sub-folder naming images relative to the working directory it was written from
    (tmp_path / "lists").mkdir()
    data = tmp_path / "lists" / "test.csv"
    with data.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["image", "label"])
        w.writerows([f"digits-test/{p}/{f.name}", p] for f, p in zip(files, pred, strict=False))
    (m,) = reproduce(mdir, [claim], data=Path("lists/test.csv"), options=ReproduceOptions(resamples=20))
    assert m.verdict == "consistent" and m.n == 24


# ---------------------------------------------------------------- 4. a claim without a split; only data files


def _stsb_folder(root: Path) -> Path:
    d = root / "stsbenchmark"
    d.mkdir(parents=True)
    (d / "LICENSE.txt").write_text("Notes on the licences of the STS Benchmark\n\nScores: CC BY-SA\n")
    (d / "readme.txt").write_text("STS Benchmark\tversion 1\n")
    row = "main-captions\tMSRvid\t2012test\t0001\t2.5\tA girl is styling her hair.\tA girl is brushing her hair.\n"
    for split in ("train", "dev", "test"):
        (d / f"sts-{split}.csv").write_text(row * 3)
    return d


def test_claim_without_split_matches_the_test_file_never_the_licence(tmp_path: Path) -> None:
    d = _stsb_folder(tmp_path)
    claim = Claim(task_type=None, dataset_name="stsb", dataset_type="stsb", metric_type="spearman", value=82.03)
    path, why = match_claim(claim, tmp_path)
    assert path == d / "sts-test.csv", why
    assert not is_data_file(d / "LICENSE.txt") and not is_data_file(d / "readme.txt")
    assert is_data_file(d / "sts-dev.csv")
    (tmp_path / "mrpc").mkdir()
    (tmp_path / "mrpc" / "msr_paraphrase_test.txt").write_text("Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n1\t1\t2\ta\tb\n")
    (tmp_path / "mrpc" / "notes.txt").write_text("plain prose about the corpus, no table here\n")
    (tmp_path / "mrpc" / "config.json").write_text('{\n  "splits": []\n}\n')
    assert is_data_file(tmp_path / "mrpc" / "msr_paraphrase_test.txt")
    assert not is_data_file(tmp_path / "mrpc" / "notes.txt") and not is_data_file(tmp_path / "mrpc" / "config.json")
    dev = Claim(task_type=None, dataset_name="stsb", dataset_type="stsb", dataset_split="dev", metric_type="spearman", value=82.0)
    assert match_claim(dev, tmp_path)[0] == d / "sts-dev.csv"


def test_image_folder_is_a_candidate(tmp_path: Path) -> None:
    from PIL import Image

    for cls in ("cat", "dog"):
        (tmp_path / "beans" / "test" / cls).mkdir(parents=True)
        Image.new("RGB", (4, 4)).save(tmp_path / "beans" / "test" / cls / "0.png")
    claim = Claim(task_type=None, dataset_name="beans", dataset_type="beans", dataset_split="test", metric_type="accuracy", value=90.0)
    assert match_claim(claim, tmp_path)[0] == tmp_path / "beans" / "test"


def test_docs_example_claim_on_the_real_stsb_folder(corpora: Path) -> None:
    data_dir = corpora / "eval-datasets"
    if not (data_dir / "stsbenchmark" / "LICENSE.txt").is_file():
        pytest.skip("STS Benchmark not in the corpora")
    claim = Claim(task_type=None, dataset_name="stsb", dataset_type="stsb", metric_type="spearman", value=82.03)
    path, _ = match_claim(claim, data_dir)
    assert path == data_dir / "stsbenchmark" / "sts-test.csv"
    mrpc = Claim(task_type=None, dataset_name="mrpc", dataset_type="mrpc", dataset_split="test", metric_type="accuracy", value=80.0)
    path, _ = match_claim(mrpc, data_dir)
    assert path is not None and path.parent.name == "glue-mrpc" and path.suffix in (".tsv", ".txt")


# ---------------------------------------------------------------- 5. samples of a split


def test_known_split_sizes() -> None:
    assert known_split_size(["stsb"], None, "test") is not None
    assert known_split_size(["stsb"], None, "test").rows == 1379  # type: ignore[union-attr]
    assert known_split_size(["glue"], "sst2", "validation").rows == 872  # type: ignore[union-attr]
    assert known_split_size(["sst2"], None, "dev").rows == 872  # type: ignore[union-attr]
    assert known_split_size(["mteb/stsbenchmark-sts"], None, "test").rows == 1379  # type: ignore[union-attr]
    assert known_split_size(["imdb"], None, "test").rows == 25000  # type: ignore[union-attr]
    assert known_split_size(["librispeech_asr"], "other", "test").rows == 2939  # type: ignore[union-attr]
    assert known_split_size(["librispeech_asr"], None, "test") is None  # two configs of different sizes
    assert known_split_size(["my-own-set"], None, "test") is None
    assert known_split_size(["stsb"], None, None) is None


def _tabular(tmp_path: Path, n: int) -> tuple[Path, Path, float]:
    pytest.importorskip("skops")
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score
    from skops.io import dump

    rng = np.random.default_rng(2)
    x = rng.normal(size=(n + 100, 2))
    y = (x[:, 0] + rng.normal(scale=0.6, size=n + 100) > 0).astype(int)
    model = LogisticRegression().fit(x[:100], y[:100])
    dump(model, tmp_path / "m.skops")
    data = tmp_path / "imdb_test.csv"
    with data.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["f0", "f1", "label"])
        w.writerows([*r, int(t)] for r, t in zip(x[100:].tolist(), y[100:], strict=True))
    return tmp_path / "m.skops", data, float(accuracy_score(y[100:], model.predict(x[100:])))


def test_a_sample_of_a_known_split_is_not_a_verdict(tmp_path: Path) -> None:
    model, data, ref = _tabular(tmp_path, 200)
    claim = Claim(task_type="tabular-classification", dataset_name="imdb", dataset_type="imdb", dataset_split="test",
                  metric_type="accuracy", value=round(ref * 100 + 15, 2))
    (m,) = reproduce(model, [claim], data=data, options=ReproduceOptions(resamples=50))
    assert m.verdict == "not-verifiable" and m.subset is not None and m.to_dict()["subset"] is True
    assert "200 of the 25,000 rows of imdb test" in m.subset and m.reason is not None and m.reason.startswith("data is a subset of the claimed split (a sample: ")
    assert m.measured == pytest.approx(ref * 100)
    # the user says how big the split is for a set the table does not know
    own = Claim(task_type="tabular-classification", dataset_name="mine", dataset_type="mine", dataset_split="test",
                metric_type="accuracy", value=round(ref * 100, 2))
    (m,) = reproduce(model, [own], data=data, options=ReproduceOptions(resamples=50))
    assert m.verdict == "consistent" and m.subset is None
    (m,) = reproduce(model, [own], data=data, options=ReproduceOptions(resamples=50, split_size=1000))
    assert m.verdict == "not-verifiable" and m.subset is not None and "200 of the 1,000" in m.subset and "--split-size" in m.subset
    (m,) = reproduce(model, [own], data=data, options=ReproduceOptions(resamples=50, split_size=200))
    assert m.verdict == "consistent" and m.subset is None


def test_split_size_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model, data, ref = _tabular(tmp_path, 60)
    rc = main(["reproduce", str(model.parent), "--claim", f"tabular-classification@mine/test:accuracy={ref:.4f}", "--data", str(data),
               "--split-size", "600", "--resamples", "20", "--format", "json"])
    import json

    doc = json.loads(capsys.readouterr().out)
    assert rc == 0 and doc["measurements"][0]["subset"] is True and "60 of the 600" in doc["measurements"][0]["subset_note"]


def test_a_300_row_slice_of_the_real_stsb_test_is_a_sample(corpora: Path, tmp_path: Path, minilm_path: Path) -> None:
    src = corpora / "eval-datasets" / "stsbenchmark" / "sts-test.csv"
    if not src.is_file():
        pytest.skip("STS Benchmark not in the corpora")
    part = tmp_path / "sts-test.csv"
    part.write_text("".join(src.read_text("utf-8").splitlines(keepends=True)[:300]), "utf-8")
    claim = Claim(task_type="sentence-similarity", dataset_name="stsb", dataset_type="stsb", metric_type="spearman", value=82.03)
    (m,) = reproduce(minilm_path, [claim], data=part, options=ReproduceOptions(resamples=20))
    assert m.verdict == "not-verifiable" and m.subset is not None and "300 of the 1,379 rows" in m.subset
    assert m.split == "test" and any("names no split" in n for n in m.notes)


# ---------------------------------------------------------------- 6. a suspect label map


def test_labels_matched_by_order_that_another_mapping_fits_are_label_map_suspect(tmp_path: Path,
                                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("skops")
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import train_test_split
    from skops.io import dump

    x, y = load_breast_cancer(return_X_y=True)
    x = x[:, :4]
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.4, random_state=0)
    model = LogisticRegression(max_iter=2000).fit(xtr, ytr)  # classes 0 (malignant), 1 (benign)
    dump(model, tmp_path / "model.skops")
    ref = float(accuracy_score(yte, model.predict(xte)))
    data = tmp_path / "test.csv"
    with data.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["f0", "f1", "f2", "f3", "diagnosis"])
        w.writerows([*r, "malignant" if t == 0 else "benign"] for r, t in zip(xte.tolist(), yte, strict=True))
    claim = Claim(task_type="tabular-classification", dataset_name="bc", dataset_type="bc", metric_type="accuracy", value=round(ref * 100, 2))
    (m,) = reproduce(tmp_path / "model.skops", [claim], data=data, options=ReproduceOptions(resamples=100, columns={"label": "diagnosis"}))
    assert m.verdict == "label-map-suspect"
    assert m.measured == pytest.approx(100 - ref * 100) and m.alternative == pytest.approx(ref * 100)
    assert m.reason is not None and f"{m.measured:.4g}" in m.reason and f"{m.alternative:.4g}" in m.reason
    ev = Evidence(target=Target(name="bc", source="local"), measurements=(m,))
    (finding,) = run_check(claim_checks.claims_reproduced, ev)
    assert finding.outcome is Outcome.SKIPPED and "label map suspect" in finding.message
    rc = main(["reproduce", str(tmp_path), "--claim", f"tabular-classification@bc:accuracy={ref * 100:.2f}",
               "--data", str(data), "--column", "label=diagnosis", "--resamples", "20"])
    out = capsys.readouterr().out
    assert rc == 0 and out.startswith("label-map-suspect")
    rc = main(["reproduce", str(tmp_path), "--claim", f"tabular-classification@bc:accuracy={ref * 100:.2f}",
               "--data", str(data), "--column", "label=diagnosis", "--resamples", "20", "--strict"])
    capsys.readouterr()
    assert rc == 1
