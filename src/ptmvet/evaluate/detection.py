"""COCO box mAP@[.5:.95] in numpy, with the image bootstrap.

The rules are pycocotools' ``COCOeval`` for ``iouType="bbox"``, area range
"all" and 100 detections per image and category: detections sorted by score
(stable), greedily matched to the best-overlapping unmatched ground truth at each
of the ten IoU thresholds 0.50:0.05:0.95, crowd boxes matched without being
used up and never counted, precision made monotone and read at the 101 recall
points 0:0.01:1, averaged over thresholds and the categories that have ground
truth. Matching happens once per image; a bootstrap resample only re-weights
images, so every resample reuses the matches. No score threshold is applied:
cutting low-confidence boxes lowers recall and biases AP.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IOU_THRESHOLDS = np.linspace(0.5, 0.95, 10)
RECALL_POINTS = np.linspace(0.0, 1.0, 101)
MAX_DETS = 100


@dataclass(frozen=True)
class Box:
    """One box ``(x, y, width, height)`` in pixels, its category, and a score (detections) or crowd flag (truth)."""

    category: int
    x: float
    y: float
    w: float
    h: float
    score: float = 1.0
    crowd: bool = False


def box_iou(dets: FloatArray, gts: FloatArray, crowd: npt.NDArray[np.bool_]) -> FloatArray:
    """IoU of ``xywh`` boxes, ``(D, G)``; against a crowd box the union is the detection's own area (pycocotools)."""
    if dets.size == 0 or gts.size == 0:
        return np.zeros((dets.shape[0], gts.shape[0]))
    dx1, dy1 = dets[:, 0:1], dets[:, 1:2]
    dx2, dy2 = dx1 + dets[:, 2:3], dy1 + dets[:, 3:4]
    gx1, gy1 = gts[:, 0], gts[:, 1]
    gx2, gy2 = gx1 + gts[:, 2], gy1 + gts[:, 3]
    iw = np.clip(np.minimum(dx2, gx2) - np.maximum(dx1, gx1), 0, None)
    ih = np.clip(np.minimum(dy2, gy2) - np.maximum(dy1, gy1), 0, None)
    inter = iw * ih
    da = dets[:, 2:3] * dets[:, 3:4]
    ga = gts[:, 2] * gts[:, 3]
    union = np.where(crowd[None, :], da, da + ga - inter)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(union > 0, inter / union, 0.0)
    return np.asarray(out, dtype=np.float64)


def match_image(truth: Sequence[Box], dets: Sequence[Box]) -> tuple[FloatArray, npt.NDArray[np.bool_], npt.NDArray[np.bool_], int]:
    """One image and one category: (scores, matched ``(T, D)``, ignored ``(T, D)``, ground truths counted)."""
    order_g = sorted(range(len(truth)), key=lambda i: truth[i].crowd)  # crowd (ignored) boxes last, stable
    g = [truth[i] for i in order_g]
    d = sorted(dets, key=lambda b: -b.score)[:MAX_DETS]  # Python's sort is stable, like mergesort
    gb = np.asarray([[b.x, b.y, b.w, b.h] for b in g], dtype=np.float64).reshape(-1, 4)
    db = np.asarray([[b.x, b.y, b.w, b.h] for b in d], dtype=np.float64).reshape(-1, 4)
    g_ig = np.asarray([b.crowd for b in g], dtype=bool)
    ious = box_iou(db, gb, g_ig)
    t_n = len(IOU_THRESHOLDS)
    dtm = np.zeros((t_n, len(d)), dtype=bool)
    dt_ig = np.zeros((t_n, len(d)), dtype=bool)
    for ti, thr in enumerate(IOU_THRESHOLDS):
        gtm = np.zeros(len(g), dtype=bool)
        for di in range(len(d)):
            best = min(thr, 1 - 1e-10)
            m = -1
            for gi in range(len(g)):
                if gtm[gi] and not g_ig[gi]:
                    continue
                if m > -1 and not g_ig[m] and g_ig[gi]:
                    break  # ground truths are sorted: only ignored ones remain
                if ious[di, gi] < best:
                    continue
                best = ious[di, gi]
                m = gi
            if m == -1:
                continue
            dt_ig[ti, di] = g_ig[m]
            dtm[ti, di] = True
            gtm[m] = True
    scores = np.asarray([b.score for b in d], dtype=np.float64)
    return scores, dtm, dt_ig, int((~g_ig).sum())


@dataclass(frozen=True)
class CategoryStats:
    """The matched detections of one category over all images, sorted as COCOeval accumulates them."""

    image: npt.NDArray[np.int64]  # image index of each detection
    tp: npt.NDArray[np.bool_]  # (T, D)
    fp: npt.NDArray[np.bool_]  # (T, D)
    truths: npt.NDArray[np.int64]  # counted ground truths per image


@dataclass(frozen=True)
class DetectionStats:
    """Everything the mAP of any resample of images needs."""

    n_images: int
    categories: tuple[CategoryStats, ...]


def detection_stats(truth: Sequence[Sequence[Box]], dets: Sequence[Sequence[Box]]) -> DetectionStats:
    """Match every image's detections to its ground truth, per category present in the ground truth."""
    if len(truth) != len(dets):
        raise ValueError("one list of detections per image is needed")
    n = len(truth)
    cats = sorted({b.category for boxes in truth for b in boxes})
    out: list[CategoryStats] = []
    for c in cats:
        scores, imgs, tps, fps = [], [], [], []
        counts = np.zeros(n, dtype=np.int64)
        for i in range(n):
            g = [b for b in truth[i] if b.category == c]
            d = [b for b in dets[i] if b.category == c]
            if not g and not d:
                continue
            s, dtm, dt_ig, npig = match_image(g, d)
            counts[i] = npig
            scores.append(s)
            imgs.append(np.full(s.shape[0], i, dtype=np.int64))
            tps.append(dtm & ~dt_ig)
            fps.append(~dtm & ~dt_ig)
        t_n = len(IOU_THRESHOLDS)
        sc = np.concatenate(scores) if scores else np.zeros(0)
        order = np.argsort(-sc, kind="mergesort")
        image = np.concatenate(imgs)[order] if imgs else np.zeros(0, dtype=np.int64)
        tp = np.concatenate(tps, axis=1)[:, order] if tps else np.zeros((t_n, 0), dtype=bool)
        fp = np.concatenate(fps, axis=1)[:, order] if fps else np.zeros((t_n, 0), dtype=bool)
        out.append(CategoryStats(image, tp, fp, counts))
    return DetectionStats(n, tuple(out))


def _ap_rows(tp_sum: FloatArray, fp_sum: FloatArray, npig: float) -> FloatArray:
    """Precision at the 101 recall points for each row (threshold) of cumulative sums ``(T, D)``."""
    t_n = tp_sum.shape[0]
    q = np.zeros((t_n, len(RECALL_POINTS)))
    if tp_sum.shape[1] == 0:
        return q
    rc = tp_sum / npig
    pr = tp_sum / (fp_sum + tp_sum + np.spacing(1))
    pr = np.maximum.accumulate(pr[:, ::-1], axis=1)[:, ::-1]  # monotone from the right
    d = tp_sum.shape[1]
    for t in range(t_n):
        idx = np.searchsorted(rc[t], RECALL_POINTS, side="left")
        ok = idx < d
        q[t, ok] = pr[t, idx[ok]]
    return q


def coco_map(stats: DetectionStats, weights: FloatArray | None = None, *, thresholds: slice = slice(None)) -> float:
    """mAP averaged over IoU thresholds (``thresholds`` selects some: ``slice(0, 1)`` is AP50) and categories.

    ``weights`` (one per image) re-weights images: a bootstrap resample draws an image k times.
    NaN when no category has ground truth.
    """
    w = np.ones(stats.n_images) if weights is None else np.asarray(weights, dtype=np.float64)
    aps: list[FloatArray] = []
    for cat in stats.categories:
        npig = float((w * cat.truths).sum())
        if npig == 0:
            continue
        dw = w[cat.image]
        tp = np.cumsum(cat.tp[thresholds] * dw, axis=1)
        fp = np.cumsum(cat.fp[thresholds] * dw, axis=1)
        keep = dw > 0  # a detection of an image not drawn adds nothing (COCOeval never sees it)
        aps.append(_ap_rows(tp[:, keep], fp[:, keep], npig))
    if not aps:
        return float("nan")
    return float(np.mean(np.stack(aps)))


__all__ = ["Box", "DetectionStats", "box_iou", "coco_map", "detection_stats", "match_image"]
