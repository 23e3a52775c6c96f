"""Evaluation metrics, implemented once in numpy and vectorised for the bootstrap.

Every metric works on a batch: inputs carry any number of leading axes and the
rows on the last axis, so the same code computes the point estimate (one row
set) and thousands of bootstrap resamples at once. Classification metrics are
all derived from confusion matrices, entity F1 from per-sentence entity counts
(seqeval's default, lenient chunking), regression and correlation metrics from
the paired values. The results agree with scikit-learn, scipy and seqeval (see
tests/evaluate/test_eval_metrics.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from ptmvet.errors import UsageError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Kind = Literal["classes", "values", "entities", "scores", "detections"]
Average = Literal["binary", "micro", "macro", "weighted"]


# ---------------------------------------------------------------- predictions


@dataclass(frozen=True, eq=False)
class Predictions:
    """What a task runner keeps per row: just enough to compute its metrics.

    ``classes``: integer ``y_true``/``y_pred`` in ``[0, n_classes)``.
    ``values``: float ``y_true``/``y_pred`` (regression targets, gold scores vs
    similarities). ``entities``: ``y_true`` is an ``(n, 3)`` int array of
    per-sentence (true entities, predicted entities, correct entities);
    ``y_pred`` is unused. ``scores``: ``y_true`` is an ``(n, m)`` float array of per-row
    statistics named by ``columns`` (SQuAD EM/F1, ROUGE F-measures, word errors and
    reference words, top-5 hits; see ``textmetrics``); a metric is a mean of one column
    or a ratio of two column sums. ``detections``: ``payload`` is a
    :class:`~ptmvet.evaluate.detection.DetectionStats`, ``y_true`` the image indices.
    """

    kind: Kind
    y_true: npt.NDArray[np.generic]
    y_pred: npt.NDArray[np.generic]
    n_classes: int = 0
    pos_label: int = 1
    columns: tuple[str, ...] = ()
    payload: object = None

    @property
    def n(self) -> int:
        return int(self.y_true.shape[0])


# ---------------------------------------------------------------- confusion


def confusion_matrices(y_true: IntArray, y_pred: IntArray, n_classes: int, idx: IntArray | None = None) -> IntArray:
    """Confusion matrices ``[..., true, pred]``; ``idx`` (shape ``(B, n)``) resamples rows."""
    k = int(n_classes)
    codes = np.asarray(y_true, dtype=np.int64) * k + np.asarray(y_pred, dtype=np.int64)
    if idx is None:
        return np.bincount(codes, minlength=k * k).reshape(k, k).astype(np.int64)
    sampled = codes[idx]
    b = sampled.shape[0]
    offsets = (np.arange(b, dtype=np.int64) * (k * k))[:, None]
    return np.bincount((sampled + offsets).ravel(), minlength=b * k * k).reshape(b, k, k).astype(np.int64)


def _div(num: FloatArray, den: FloatArray) -> FloatArray:
    """num/den with 0 where den == 0 (scikit-learn's zero_division=0)."""
    out = np.zeros(np.broadcast(num, den).shape, dtype=np.float64)
    np.divide(num, den, out=out, where=den != 0)
    return out


def cm_accuracy(cm: IntArray) -> FloatArray:
    """Accuracy from confusion matrices."""
    total = cm.sum(axis=(-2, -1)).astype(np.float64)
    return _div(np.trace(cm, axis1=-2, axis2=-1).astype(np.float64), total)


def cm_prf(cm: IntArray, average: Average, pos_label: int = 1) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Precision, recall and F1 from confusion matrices, with scikit-learn semantics.

    Macro and weighted averages run over the classes present in the truth or
    the predictions of each (resampled) row set, as scikit-learn does when no
    ``labels`` are given. ``binary`` reports the class ``pos_label``.
    """
    cmf = cm.astype(np.float64)
    tp = np.diagonal(cmf, axis1=-2, axis2=-1)
    pred = cmf.sum(axis=-2)
    true = cmf.sum(axis=-1)
    if average == "micro":
        tps, ps, ts = tp.sum(-1), pred.sum(-1), true.sum(-1)
        p, r = _div(tps, ps), _div(tps, ts)
        return p, r, _div(2 * tps, ps + ts)
    p_c, r_c, f_c = _div(tp, pred), _div(tp, true), _div(2 * tp, pred + true)
    if average == "binary":
        return p_c[..., pos_label], r_c[..., pos_label], f_c[..., pos_label]
    if average == "macro":
        present = ((pred + true) > 0).astype(np.float64)
        n = present.sum(-1)
        return _div((p_c * present).sum(-1), n), _div((r_c * present).sum(-1), n), _div((f_c * present).sum(-1), n)
    if average == "weighted":
        w = true
        ws = w.sum(-1)
        return _div((p_c * w).sum(-1), ws), _div((r_c * w).sum(-1), ws), _div((f_c * w).sum(-1), ws)
    raise UsageError(f"unknown average {average!r}")


def cm_mcc(cm: IntArray) -> FloatArray:
    """Matthews correlation coefficient (multiclass, Gorodkin's R_K) from confusion matrices."""
    cmf = cm.astype(np.float64)
    t = cmf.sum(-1)
    p = cmf.sum(-2)
    correct = np.trace(cmf, axis1=-2, axis2=-1)
    n = cmf.sum(axis=(-2, -1))
    cov_tp = correct * n - (t * p).sum(-1)
    cov_pp = n * n - (p * p).sum(-1)
    cov_tt = n * n - (t * t).sum(-1)
    return _div(cov_tp, np.sqrt(cov_tt * cov_pp))


# ---------------------------------------------------------------- per-sample API


def _labels(y_true: Sequence[object] | npt.ArrayLike, y_pred: Sequence[object] | npt.ArrayLike) -> tuple[IntArray, IntArray, int, list[object]]:
    t = np.asarray(y_true)
    p = np.asarray(y_pred)
    if t.shape != p.shape or t.ndim != 1:
        raise UsageError(f"y_true and y_pred must be 1-d and of equal length, got {t.shape} and {p.shape}")
    classes, inv = np.unique(np.concatenate([t, p]), return_inverse=True)
    inv = inv.astype(np.int64)
    return inv[: t.shape[0]], inv[t.shape[0] :], len(classes), list(classes.tolist())


def accuracy(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> float:
    """Fraction of rows where the prediction equals the truth."""
    t, p, k, _ = _labels(y_true, y_pred)
    return float(cm_accuracy(confusion_matrices(t, p, k)))


def precision_recall_f1(
    y_true: npt.ArrayLike, y_pred: npt.ArrayLike, *, average: Average = "binary", pos_label: object = 1
) -> tuple[float, float, float]:
    """Precision, recall and F1 (scikit-learn semantics, zero_division=0)."""
    t, p, k, classes = _labels(y_true, y_pred)
    pos = 0
    if average == "binary":
        if len(classes) > 2:
            raise UsageError("average='binary' needs at most two classes; use micro, macro or weighted")
        pos = classes.index(pos_label) if pos_label in classes else -1
        if pos < 0:  # the positive class never occurs: everything is 0
            return 0.0, 0.0, 0.0
    pr, rc, f = cm_prf(confusion_matrices(t, p, k), average, pos)
    return float(pr), float(rc), float(f)


def f1(y_true: npt.ArrayLike, y_pred: npt.ArrayLike, *, average: Average = "binary", pos_label: object = 1) -> float:
    """F1 score (see :func:`precision_recall_f1`)."""
    return precision_recall_f1(y_true, y_pred, average=average, pos_label=pos_label)[2]


def mcc(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> float:
    """Matthews correlation coefficient."""
    t, p, k, _ = _labels(y_true, y_pred)
    return float(cm_mcc(confusion_matrices(t, p, k)))


def rankdata(a: npt.ArrayLike) -> FloatArray:
    """Ranks along the last axis, ties get their average rank (scipy's 'average')."""
    x = np.asarray(a, dtype=np.float64)
    shape = x.shape
    n = shape[-1]
    x2 = x.reshape(-1, n)
    rows = x2.shape[0]
    if n == 0:
        return np.zeros(shape, dtype=np.float64)
    order = np.argsort(x2, axis=-1, kind="stable")
    sx = np.take_along_axis(x2, order, axis=-1)
    new_group = np.ones_like(sx, dtype=bool)
    new_group[:, 1:] = sx[:, 1:] != sx[:, :-1]
    flat = new_group.ravel()
    starts = np.flatnonzero(flat)  # groups never span rows: each row starts one
    counts = np.diff(np.append(starts, flat.size))
    avg = (starts % n) + (counts + 1) / 2.0
    group_of = np.cumsum(flat) - 1
    ranks_sorted = avg[group_of].reshape(rows, n)
    ranks = np.empty_like(ranks_sorted)
    np.put_along_axis(ranks, order, ranks_sorted, axis=-1)
    out: FloatArray = ranks.reshape(shape)
    return out


def pearson(x: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
    """Pearson correlation along the last axis (NaN where a side is constant)."""
    xa = np.asarray(x, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    xc = xa - xa.mean(-1, keepdims=True)
    yc = ya - ya.mean(-1, keepdims=True)
    num = (xc * yc).sum(-1)
    den = np.sqrt((xc * xc).sum(-1) * (yc * yc).sum(-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = num / den
    return np.asarray(np.clip(r, -1.0, 1.0), dtype=np.float64)


def spearman(x: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
    """Spearman rank correlation along the last axis (average ranks for ties)."""
    return pearson(rankdata(x), rankdata(y))


def mse(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> FloatArray:
    """Mean squared error along the last axis."""
    d = np.asarray(y_true, dtype=np.float64) - np.asarray(y_pred, dtype=np.float64)
    return np.asarray((d * d).mean(-1), dtype=np.float64)


def mae(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> FloatArray:
    """Mean absolute error along the last axis."""
    return np.asarray(np.abs(np.asarray(y_true, dtype=np.float64) - np.asarray(y_pred, dtype=np.float64)).mean(-1), dtype=np.float64)


def r2(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> FloatArray:
    """Coefficient of determination (scikit-learn's force_finite semantics)."""
    t = np.asarray(y_true, dtype=np.float64)
    p = np.asarray(y_pred, dtype=np.float64)
    ss_res = ((t - p) ** 2).sum(-1)
    ss_tot = ((t - t.mean(-1, keepdims=True)) ** 2).sum(-1)
    out = np.where(ss_res == 0, 1.0, 0.0).astype(np.float64)
    np.subtract(1.0, ss_res / np.where(ss_tot == 0, 1.0, ss_tot), out=out, where=ss_tot != 0)
    return out


# ---------------------------------------------------------------- entities





def _split_tag(tag: str, scheme: str) -> tuple[str, str]:
    if tag in ("O", "B", "I", "E", "S"):
        return tag, "_"
    head = tag[0]
    typ = tag[1:].split("-", maxsplit=1)[-1] or "_"
    if scheme.upper() == "BILOU":  # BILOU's L/U are BIOES's E/S
        head = {"L": "E", "U": "S"}.get(head, head)
    return head, typ


def get_entities(tags: Sequence[str], *, scheme: str = "IOB2") -> list[tuple[str, int, int]]:
    """Entity chunks ``(type, start, end)`` of one sentence, with seqeval's default (lenient) rules.

    The same rules read IOB2, IOB1 and BIOES tags (and BILOU, mapped onto BIOES);
    an ``I-`` after ``O`` or after another type starts an entity, as in seqeval.
    """
    chunks: list[tuple[str, int, int]] = []
    prev_tag, prev_type, begin = "O", "", 0
    for i, chunk in enumerate([*tags, "O"]):
        tag, typ = _split_tag(str(chunk), scheme)
        end = (
            prev_tag in ("E", "S")
            or (prev_tag in ("B", "I") and tag in ("B", "S", "O"))
            or (prev_tag not in ("O", ".") and prev_type != typ)
        )
        start = (
            tag in ("B", "S")
            or (prev_tag in ("E", "S", "O") and tag in ("E", "I"))
            or (tag not in ("O", ".") and prev_type != typ)
        )
        if end:
            chunks.append((prev_type, begin, i - 1))
        if start:
            begin = i
        prev_tag, prev_type = tag, typ
    return chunks


def entity_counts(true_tags: Sequence[str], pred_tags: Sequence[str], *, scheme: str = "IOB2") -> tuple[int, int, int]:
    """(true entities, predicted entities, exactly matching entities) of one sentence."""
    t = set(get_entities(true_tags, scheme=scheme))
    p = set(get_entities(pred_tags, scheme=scheme))
    return len(t), len(p), len(t & p)


def entity_prf(counts: npt.ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Micro precision, recall, F1 from per-sentence counts, shape ``(..., n, 3)``."""
    c = np.asarray(counts, dtype=np.float64).sum(-2)
    n_true, n_pred, n_ok = c[..., 0], c[..., 1], c[..., 2]
    p, r = _div(n_ok, n_pred), _div(n_ok, n_true)
    return p, r, _div(2 * n_ok, n_pred + n_true)


def entity_scores(
    y_true: Iterable[Sequence[str]], y_pred: Iterable[Sequence[str]], *, scheme: str = "IOB2"
) -> tuple[float, float, float]:
    """Entity-level micro precision, recall, F1 over sentences (seqeval's default mode)."""
    rows = [entity_counts(t, p, scheme=scheme) for t, p in zip(y_true, y_pred, strict=True)]
    if not rows:
        return 0.0, 0.0, 0.0
    p, r, f = entity_prf(np.asarray(rows))
    return float(p), float(r), float(f)


# ---------------------------------------------------------------- registry


@dataclass(frozen=True)
class MetricSpec:
    """A metric the runner can measure: what it needs and how to compute it on a batch."""

    name: str
    kind: Kind
    higher_is_better: bool
    bounded: bool  # values in [-1, 1]: a claim may be a percentage
    compute: Callable[[Predictions, IntArray | None], FloatArray]
    description: str = ""


def _cls(fn: Callable[[IntArray, Predictions], FloatArray]) -> Callable[[Predictions, IntArray | None], FloatArray]:
    def run(pred: Predictions, idx: IntArray | None) -> FloatArray:
        cm = confusion_matrices(pred.y_true.astype(np.int64), pred.y_pred.astype(np.int64), max(pred.n_classes, 1), idx)
        return np.asarray(fn(cm, pred), dtype=np.float64)

    return run


def _val(fn: Callable[[FloatArray, FloatArray], FloatArray]) -> Callable[[Predictions, IntArray | None], FloatArray]:
    def run(pred: Predictions, idx: IntArray | None) -> FloatArray:
        t = np.asarray(pred.y_true, dtype=np.float64)
        p = np.asarray(pred.y_pred, dtype=np.float64)
        if idx is not None:
            t, p = t[idx], p[idx]
        return np.asarray(fn(t, p), dtype=np.float64)

    return run


def _ent(which: int) -> Callable[[Predictions, IntArray | None], FloatArray]:
    def run(pred: Predictions, idx: IntArray | None) -> FloatArray:
        c = np.asarray(pred.y_true, dtype=np.float64)
        return entity_prf(c if idx is None else c[idx])[which]

    return run


def _prf(average: Average, which: int) -> Callable[[IntArray, Predictions], FloatArray]:
    def fn(cm: IntArray, pred: Predictions) -> FloatArray:
        avg: Average = average
        if avg == "binary" and pred.n_classes > 2:
            avg = "macro"  # an unqualified F1 on a multiclass task is the macro average
        return cm_prf(cm, avg, pred.pos_label)[which]

    return fn


def _score(num: str, den: str | None = None) -> Callable[[Predictions, IntArray | None], FloatArray]:
    """Mean of column ``num`` (or sum of ``num`` over sum of ``den``) of per-row statistics."""

    def run(pred: Predictions, idx: IntArray | None) -> FloatArray:
        if num not in pred.columns or (den is not None and den not in pred.columns):
            raise UsageError(f"these predictions carry {', '.join(pred.columns) or 'no columns'}, not {num}")
        y = np.asarray(pred.y_true, dtype=np.float64)
        a = y[:, pred.columns.index(num)]
        b = y[:, pred.columns.index(den)] if den is not None else None
        if idx is not None:
            a = a[idx]
            b = b[idx] if b is not None else None
        if b is None:
            return np.asarray(a.mean(-1), dtype=np.float64)
        return _div(a.sum(-1), b.sum(-1))

    return run


def _det(thresholds: slice) -> Callable[[Predictions, IntArray | None], FloatArray]:
    def run(pred: Predictions, idx: IntArray | None) -> FloatArray:
        from ptmvet.evaluate.detection import DetectionStats, coco_map

        stats = pred.payload
        if not isinstance(stats, DetectionStats):
            raise UsageError("detection metrics need DetectionStats predictions")
        if idx is None:
            return np.asarray(coco_map(stats, thresholds=thresholds), dtype=np.float64)
        rows = np.atleast_2d(idx)
        out = np.empty(rows.shape[0], dtype=np.float64)
        for b, r in enumerate(rows):
            out[b] = coco_map(stats, np.bincount(r, minlength=stats.n_images).astype(np.float64), thresholds=thresholds)
        return out

    return run


METRICS: dict[str, MetricSpec] = {}


def _add(spec: MetricSpec) -> None:
    METRICS[spec.name] = spec


_add(MetricSpec("accuracy", "classes", True, True, _cls(lambda cm, _p: cm_accuracy(cm)), "fraction of correct rows"))
_add(MetricSpec("mcc", "classes", True, True, _cls(lambda cm, _p: cm_mcc(cm)), "Matthews correlation coefficient"))
for _avg in ("binary", "micro", "macro", "weighted"):
    for _i, _m in enumerate(("precision", "recall", "f1")):
        _name = _m if _avg == "binary" else f"{_m}_{_avg}"
        _add(MetricSpec(_name, "classes", True, True, _cls(_prf(_avg, _i)), f"{_m}, {_avg} average"))  # type: ignore[arg-type]
_add(MetricSpec("pearson", "values", True, True, _val(pearson), "Pearson correlation of predictions and gold"))
_add(MetricSpec("spearman", "values", True, True, _val(spearman), "Spearman rank correlation of predictions and gold"))
_add(MetricSpec("mse", "values", False, False, _val(mse), "mean squared error"))
_add(MetricSpec("rmse", "values", False, False, _val(lambda t, p: np.sqrt(mse(t, p))), "root mean squared error"))
_add(MetricSpec("mae", "values", False, False, _val(mae), "mean absolute error"))
_add(MetricSpec("r2", "values", True, False, _val(r2), "coefficient of determination"))
_add(MetricSpec("entity_f1", "entities", True, True, _ent(2), "entity-level micro F1 (seqeval)"))
_add(MetricSpec("entity_precision", "entities", True, True, _ent(0), "entity-level micro precision (seqeval)"))
_add(MetricSpec("entity_recall", "entities", True, True, _ent(1), "entity-level micro recall (seqeval)"))

_add(MetricSpec("exact_match", "scores", True, True, _score("exact_match"), "SQuAD exact match (best over the gold answers)"))
_add(MetricSpec("squad_f1", "scores", True, True, _score("f1"), "SQuAD token F1 (best over the gold answers)"))
_add(MetricSpec("rouge1", "scores", True, True, _score("rouge1"), "ROUGE-1 F-measure, mean over rows (rouge-score rules)"))
_add(MetricSpec("rouge2", "scores", True, True, _score("rouge2"), "ROUGE-2 F-measure, mean over rows"))
_add(MetricSpec("rougeL", "scores", True, True, _score("rougeL"), "ROUGE-L (LCS) F-measure, mean over rows"))
_add(MetricSpec("rougeLsum", "scores", True, True, _score("rougeLsum"), "summary-level ROUGE-L over newline-split sentences, mean over rows"))
_add(MetricSpec("wer", "scores", False, True, _score("word_errors", "reference_words"), "word error rate over the corpus (jiwer)"))
_add(MetricSpec("top5_accuracy", "scores", True, True, _score("top5"), "the gold class among the five best-scored"))
_add(MetricSpec("map", "detections", True, True, _det(slice(None)), "COCO box mAP@[.5:.95] (pycocotools rules)"))
_add(MetricSpec("map_50", "detections", True, True, _det(slice(0, 1)), "COCO box AP at IoU 0.5"))
_add(MetricSpec("map_75", "detections", True, True, _det(slice(5, 6)), "COCO box AP at IoU 0.75"))

#: Names seen in model cards and leaderboards -> canonical metric name.
ALIASES: dict[str, str] = {
    "acc": "accuracy",
    "accuracy": "accuracy",
    "eval_accuracy": "accuracy",
    "matthews_correlation": "mcc",
    "matthewscorrcoef": "mcc",
    "matthews": "mcc",
    "mcc": "mcc",
    "pearson": "pearson",
    "pearsonr": "pearson",
    "cosine_pearson": "pearson",
    "pearson_cosine": "pearson",
    "cos_sim_pearson": "pearson",
    "spearman": "spearman",
    "spearmanr": "spearman",
    "cosine_spearman": "spearman",
    "spearman_cosine": "spearman",
    "cos_sim_spearman": "spearman",
    "spearmanr_cosine": "spearman",
    "mse": "mse",
    "mean_squared_error": "mse",
    "rmse": "rmse",
    "mae": "mae",
    "mean_absolute_error": "mae",
    "r2": "r2",
    "r_squared": "r2",
    "f1": "f1",
    "f1_score": "f1",
    "precision": "precision",
    "recall": "recall",
    "seqeval": "entity_f1",
    "overall_f1": "entity_f1",
    "entity_f1": "entity_f1",
    "overall_precision": "entity_precision",
    "overall_recall": "entity_recall",
    "exact_match": "exact_match",
    "exact": "exact_match",
    "em": "exact_match",
    "squad_f1": "squad_f1",
    "rouge1": "rouge1",
    "rouge_1": "rouge1",
    "rouge2": "rouge2",
    "rouge_2": "rouge2",
    "rougel": "rougeL",
    "rouge_l": "rougeL",
    "rougelsum": "rougeLsum",
    "rouge_lsum": "rougeLsum",
    "rouge_l_sum": "rougeLsum",
    "wer": "wer",
    "word_error_rate": "wer",
    "top5_accuracy": "top5_accuracy",
    "top_5_accuracy": "top5_accuracy",
    "accuracy_top5": "top5_accuracy",
    "acc5": "top5_accuracy",
    "top5": "top5_accuracy",
    "map": "map",
    "mean_average_precision": "map",
    "coco_map": "map",
    "ap": "map",
    "box_map": "map",
    "map_50": "map_50",
    "map50": "map_50",
    "ap50": "map_50",
    "map_75": "map_75",
    "map75": "map_75",
    "ap75": "map_75",
}


def canonical_metric(name: str | None, config: str | None = None, *, task: str | None = None) -> str | None:
    """Map a metric name from a card (``Spearman``, ``cosine_spearman``, ``f1 macro``) to a :data:`METRICS` key."""
    if not name:
        return None
    key = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    key = re.sub(r"^(eval|test|validation|dev)_", "", key)
    avg = None
    for a in ("macro", "micro", "weighted", "binary"):
        if re.search(rf"(^|_){a}(_|$)", key) or (config and a in config.lower()):
            avg = a
            key = re.sub(rf"(^|_){a}(_|$)", "_", key).strip("_")
    base = key if key in METRICS else ALIASES.get(key)
    if base is None:
        return None
    token = task is not None and "token" in task
    if token and base in ("f1", "precision", "recall"):
        return f"entity_{base}"
    if task == "question-answering" and base == "f1":
        return "squad_f1"
    if base in ("precision", "recall", "f1") and avg and avg != "binary":
        return f"{base}_{avg}"
    return base
