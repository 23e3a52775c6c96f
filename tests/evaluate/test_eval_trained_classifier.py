"""Models built inside the tests: a skops logistic regression trained here and a tiny BERT classifier.

True claims are consistent, inflated ones overstated, a permuted id2label is caught by VET802 and
pickle-only weights are refused unless allowed."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest

from ptmvet.card import Claim
from ptmvet.checks import claims as claim_checks
from ptmvet.checks.interface import Outcome, run_check
from ptmvet.evaluate.runner import ReproduceOptions, reproduce
from ptmvet.evaluate.tasks.interface import RunOptions
from ptmvet.evidence import Evidence, Target

WORDS = ["the", "film", "was", "plot", "actors", "very", "quite", "story", "and", "it"]
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good", "bad", *WORDS]


def _texts(rng: np.random.Generator, n: int) -> tuple[list[str], list[int]]:
    texts, labels = [], []
    for _ in range(n):
        y = int(rng.integers(0, 2))
        words = list(rng.choice(WORDS, size=int(rng.integers(3, 12))))
        words.insert(int(rng.integers(0, len(words))), "good" if y else "bad")
        texts.append(" ".join(words))
        labels.append(y)
    return texts, labels


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, float]:
    """A tiny random BERT classifier, and data labelled with its own predictions, 20% of them flipped."""
    torch = pytest.importorskip("torch")
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    root = tmp_path_factory.mktemp("tinybert")
    (root / "vocab.txt").write_text("\n".join(VOCAB) + "\n")
    tok = BertTokenizerFast(vocab_file=str(root / "vocab.txt"), do_lower_case=True)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(VOCAB), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64, num_labels=2, initializer_range=0.5,
                        id2label={0: "negative", 1: "positive"}, label2id={"negative": 0, "positive": 1})
    model = BertForSequenceClassification(config).eval()
    texts, _ = _texts(np.random.default_rng(1), 300)
    with torch.inference_mode():  # centre the decision so that both classes are predicted
        logits = model(**tok(texts, padding=True, return_tensors="pt")).logits
        model.classifier.bias[1] -= (logits[:, 1] - logits[:, 0]).median()
    mdir = root / "model"
    model.save_pretrained(mdir)
    tok.save_pretrained(mdir)
    with torch.inference_mode():
        pred = model(**tok(texts, padding=True, return_tensors="pt")).logits.argmax(-1).numpy()
    assert 30 < pred.sum() < 270, "the random model should predict both classes"
    flip = np.random.default_rng(2).random(300) < 0.2
    gold = [1 - int(y) if f else int(y) for y, f in zip(pred, flip, strict=True)]
    data = root / "test.csv"
    with data.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label"])
        w.writerows([t, "positive" if y else "negative"] for t, y in zip(texts, gold, strict=True))
    from sklearn.metrics import accuracy_score  # reference: a plain loop and scikit-learn

    return mdir, data, float(accuracy_score(gold, pred))


def test_skops_logistic_regression_trained_here(tmp_path: Path) -> None:
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import train_test_split
    from skops.io import dump

    x, y = load_breast_cancer(return_X_y=True)
    x = x[:, :2]  # two features only, so the model is good but not perfect
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.3, random_state=0)
    model = LogisticRegression(max_iter=1000).fit(xtr, ytr)
    dump(model, tmp_path / "model.skops")
    ref = float(accuracy_score(yte, model.predict(xte)))
    data = tmp_path / "test.csv"
    with data.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["f0", "f1", "label"])
        w.writerows([*row, int(t)] for row, t in zip(xte.tolist(), yte, strict=True))
    claims = [Claim(task_type="tabular-classification", dataset_name="bc", dataset_type="bc", metric_type="accuracy", value=v)
              for v in (round(ref * 100, 2), round(min(ref + 0.08, 1.0) * 100, 2))]
    ms = reproduce(tmp_path / "model.skops", claims, data=data, options=ReproduceOptions(resamples=300))
    assert [m.verdict for m in ms] == ["consistent", "overstated"]
    assert ms[0].measured == pytest.approx(ref * 100)
    assert ms[0].provenance["weight_files"] == {"model.skops": ms[0].provenance["weight_files"]["model.skops"]}


def _claim(value: float, metric: str = "accuracy") -> Claim:
    return Claim(task_type="text-classification", dataset_name="toy", dataset_type="toy", metric_type=metric, value=value, dataset_split="test")


def test_true_claim_consistent_inflated_overstated(trained: tuple[Path, Path, float]) -> None:
    mdir, data, ref = trained
    assert 0.6 < ref < 0.95
    ms = reproduce(mdir, [_claim(round(ref * 100, 1)), _claim(round(ref * 100 + 10, 1)), _claim(ref, "f1")],
                   data=data, options=ReproduceOptions(resamples=300))
    assert [m.verdict for m in ms[:2]] == ["consistent", "overstated"]
    assert ms[0].measured == pytest.approx(ref * 100)
    assert ms[0].ci_low < ms[0].measured < ms[0].ci_high
    assert ms[0].n == 300 and ms[0].scale == 100.0
    assert ms[0].label_map is not None and ms[0].label_map["method"] == "names"
    prov = ms[0].provenance
    assert prov["rows"] == 300 and len(prov["data_sha256"]) == 64
    assert list(prov["weight_files"]) == ["model.safetensors"] and prov["seed"] == 0
    assert ms[2].metric == "f1" and ms[2].measured is not None
    ev = Evidence(target=Target(name="tiny", source="local"), measurements=tuple(ms))
    outcomes = [f.outcome for f in run_check(claim_checks.claims_reproduced, ev)]
    assert outcomes.count(Outcome.FAIL) == 1 and outcomes.count(Outcome.PASS) == 2
    assert run_check(claim_checks.label_map_consistent, ev)[0].outcome is Outcome.PASS


def test_permuted_labels_fire_the_label_map_finding(trained: tuple[Path, Path, float], tmp_path: Path) -> None:
    import json

    mdir, data, ref = trained
    bad = tmp_path / "permuted"
    shutil.copytree(mdir, bad)
    cfg = json.loads((bad / "config.json").read_text())
    cfg["id2label"] = {"0": "positive", "1": "negative"}
    cfg["label2id"] = {"positive": 0, "negative": 1}
    (bad / "config.json").write_text(json.dumps(cfg))
    (m,) = reproduce(bad, [_claim(round(ref * 100, 1))], data=data, options=ReproduceOptions(resamples=200))
    assert m.verdict == "overstated" and m.measured == pytest.approx(100 - ref * 100)
    assert m.permutation is not None and m.permutation["suspect"]
    assert m.permutation["suggested"] == {"positive": "negative", "negative": "positive"}
    assert m.alternative == pytest.approx(ref * 100)
    ev = Evidence(target=Target(name="permuted", source="local"), measurements=(m,))
    (finding,) = run_check(claim_checks.label_map_consistent, ev)
    assert finding.outcome is Outcome.FAIL and "relabelling" in finding.message


def test_pickle_only_weights_refused_unless_allowed(trained: tuple[Path, Path, float], tmp_path: Path) -> None:

    mdir, data, ref = trained
    pk = tmp_path / "pickled"
    shutil.copytree(mdir, pk)
    (pk / "model.safetensors").unlink()
    import torch
    from safetensors.torch import load_file

    torch.save(load_file(str(mdir / "model.safetensors")), pk / "pytorch_model.bin")
    (m,) = reproduce(pk, [_claim(ref)], data=data, options=ReproduceOptions(resamples=50))
    assert m.verdict == "not-verifiable" and m.reason is not None and m.reason.startswith("refused weights")
    ev = Evidence(target=Target(name="pk", source="local"), measurements=(m,))
    assert run_check(claim_checks.claims_measurable, ev)[0].outcome is Outcome.FAIL
    (m,) = reproduce(pk, [_claim(ref)], data=data, options=ReproduceOptions(resamples=50, run=RunOptions(allow_pickle=True)))
    assert m.verdict == "consistent" and m.measured == pytest.approx(ref)
