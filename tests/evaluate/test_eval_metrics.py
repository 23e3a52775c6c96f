"""Metrics agree with scikit-learn, scipy and seqeval on random inputs."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps
from seqeval import metrics as sq
from seqeval.metrics.sequence_labeling import get_entities as sq_get_entities
from seqeval.scheme import IOB2
from sklearn import metrics as skm

from ptmvet.evaluate import metrics as m


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", [2, 3, 5])
def test_classification_metrics_match_sklearn(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 300))
    t = rng.integers(0, k, n)
    p = np.where(rng.random(n) < 0.6, t, rng.integers(0, k, n))
    assert m.accuracy(t, p) == pytest.approx(skm.accuracy_score(t, p))
    assert m.mcc(t, p) == pytest.approx(skm.matthews_corrcoef(t, p))
    for avg in ("micro", "macro", "weighted"):
        got = m.precision_recall_f1(t, p, average=avg)  # type: ignore[arg-type]
        want = skm.precision_recall_fscore_support(t, p, average=avg, zero_division=0)[:3]
        assert got == pytest.approx(want)
    if k == 2:
        got = m.precision_recall_f1(t, p, average="binary")
        assert got == pytest.approx(skm.precision_recall_fscore_support(t, p, average="binary", zero_division=0)[:3])


def test_string_labels_and_degenerate_cases() -> None:
    t = ["neg", "pos", "pos", "neg"]
    p = ["pos", "pos", "pos", "pos"]
    assert m.f1(t, p, pos_label="pos") == pytest.approx(skm.f1_score(t, p, pos_label="pos"))
    assert m.mcc(t, p) == pytest.approx(skm.matthews_corrcoef(t, p)) == 0.0
    assert m.f1([0, 0], [0, 0]) == 0.0  # positive class absent: sklearn's zero_division=0


@pytest.mark.parametrize("seed", range(6))
def test_correlations_and_regression_match_scipy_sklearn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 400))
    # few distinct values so that ties are common
    x = rng.integers(0, 6, n).astype(float) if seed % 2 else rng.normal(size=n)
    y = x + rng.normal(size=n)
    assert float(m.pearson(x, y)) == pytest.approx(sps.pearsonr(x, y)[0])
    assert float(m.spearman(x, y)) == pytest.approx(sps.spearmanr(x, y)[0])
    assert m.rankdata(x) == pytest.approx(sps.rankdata(x))
    assert float(m.mse(x, y)) == pytest.approx(skm.mean_squared_error(x, y))
    assert float(m.mae(x, y)) == pytest.approx(skm.mean_absolute_error(x, y))
    assert float(m.r2(x, y)) == pytest.approx(skm.r2_score(x, y))


def test_batched_rankdata_matches_rows() -> None:
    rng = np.random.default_rng(1)
    a = rng.integers(0, 4, size=(7, 30)).astype(float)
    got = m.rankdata(a)
    for row, want in zip(got, a, strict=True):
        assert row == pytest.approx(sps.rankdata(want))


def _random_tags(rng: np.random.Generator, n: int, scheme: str) -> list[str]:
    heads = {"IOB2": "BIO", "IOB1": "IO" + "B", "BIOES": "BIOES"}[scheme]
    out = []
    for _ in range(n):
        h = heads[int(rng.integers(0, len(heads)))]
        out.append("O" if h == "O" else f"{h}-{['PER', 'LOC', 'ORG'][int(rng.integers(0, 3))]}")
    return out


@pytest.mark.parametrize("scheme", ["IOB2", "IOB1", "BIOES"])
@pytest.mark.parametrize("seed", range(4))
def test_entity_scores_match_seqeval(scheme: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    y_true, y_pred = [], []
    for _ in range(int(rng.integers(1, 40))):
        n = int(rng.integers(1, 12))
        t = _random_tags(rng, n, scheme)
        p = [tag if rng.random() < 0.6 else x for tag, x in zip(t, _random_tags(rng, n, scheme), strict=True)]
        y_true.append(t)
        y_pred.append(p)
    got = m.entity_scores(y_true, y_pred, scheme=scheme)
    want = (
        sq.precision_score(y_true, y_pred),
        sq.recall_score(y_true, y_pred),
        sq.f1_score(y_true, y_pred),
    )
    assert got == pytest.approx(want)
    for sent in y_true:
        assert m.get_entities(sent) == sq_get_entities(sent)


def test_strict_iob2_tags_give_the_same_entities() -> None:
    t = [["B-PER", "I-PER", "O", "B-LOC"], ["O", "B-ORG"]]
    p = [["B-PER", "I-PER", "O", "O"], ["O", "B-ORG"]]
    assert m.entity_scores(t, p)[2] == pytest.approx(sq.f1_score(t, p, mode="strict", scheme=IOB2))


@pytest.mark.parametrize(
    ("name", "config", "task", "want"),
    [
        ("Spearman", None, None, "spearman"),
        ("cosine_spearman", None, None, "spearman"),
        ("Accuracy", None, None, "accuracy"),
        ("f1", "macro", None, "f1_macro"),
        ("F1 Macro", None, None, "f1_macro"),
        ("f1", None, "token-classification", "entity_f1"),
        ("matthews_correlation", None, None, "mcc"),
        ("eval_accuracy", None, None, "accuracy"),
        ("bleu", None, None, None),
    ],
)
def test_canonical_metric(name: str, config: str | None, task: str | None, want: str | None) -> None:
    assert m.canonical_metric(name, config, task=task) == want


def test_every_registered_metric_computes_on_batches() -> None:
    rng = np.random.default_rng(0)
    n = 50
    cls = m.Predictions("classes", rng.integers(0, 3, n), rng.integers(0, 3, n), n_classes=3)
    val = m.Predictions("values", rng.normal(size=n), rng.normal(size=n))
    ent = m.Predictions("entities", rng.integers(0, 3, (n, 3)), np.zeros(0))
    cols = ("exact_match", "f1", "rouge1", "rouge2", "rougeL", "rougeLsum", "word_errors", "reference_words", "top5")
    scores = m.Predictions("scores", rng.random((n, len(cols))) + 0.1, np.zeros(n), columns=cols)
    from ptmvet.evaluate.detection import Box, detection_stats

    truth = [[Box(int(rng.integers(0, 2)), *rng.uniform(0, 20, 4))] for _ in range(n)]
    found = [[Box(b.category, b.x + 1, b.y, b.w, b.h, score=float(rng.random())) for b in t] for t in truth]
    det = m.Predictions("detections", np.arange(n), np.zeros(n), payload=detection_stats(truth, found))
    idx = rng.integers(0, n, (4, n))
    for spec in m.METRICS.values():
        pred = {"classes": cls, "values": val, "entities": ent, "scores": scores, "detections": det}[spec.kind]
        single = spec.compute(pred, None)
        batch = spec.compute(pred, idx)
        assert np.shape(single) == ()
        assert batch.shape == (4,)
        assert float(spec.compute(pred, np.arange(n)[None, :])[0]) == pytest.approx(float(single))
