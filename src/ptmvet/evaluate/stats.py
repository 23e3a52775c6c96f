"""Bootstrap confidence intervals and the verdict on a claim.

The bootstrap is seeded and vectorised: resample indices are drawn as a
``(chunk, n)`` matrix and every metric is computed on all resamples of a chunk
at once; the chunk size keeps each index matrix under ``max_elements`` numbers
so memory stays bounded whatever ``n`` and the number of resamples.

Verdict (documented in docs/claims-file.md, "How a claim is judged"):

* both values are put on one scale first: a claim of ``91.3`` for a metric
  bounded by 1 (accuracy, F1, correlations) is read as ``0.913``;
* the tolerance is ``max(CI half-width, min_tolerance)``; ``min_tolerance``
  defaults to one point (0.01) for bounded metrics, and to 1% of the claimed
  value for unbounded ones (MSE, MAE, RMSE, R²);
* ``overstated`` when the claim is better than the measurement by more than
  the tolerance (higher for accuracy, lower for an error), ``understated``
  when it is worse by more than the tolerance, else ``consistent``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ptmvet.evaluate.metrics import FloatArray, MetricSpec, Predictions
from ptmvet.evidence.measurement import ClaimVerdict

DEFAULT_RESAMPLES = 1000
DEFAULT_CONFIDENCE = 0.95
DEFAULT_SEED = 0
#: One point on a 0-100 scale.
DEFAULT_MIN_TOLERANCE = 0.01
#: For unbounded metrics (errors, R²): a fraction of the claimed value.
DEFAULT_RELATIVE_TOLERANCE = 0.01
#: Resampled rows held at once (a few arrays of this many 8-byte values): bounds the
#: bootstrap's memory independently of the row count, so 10x the rows does not mean more memory.
MAX_ELEMENTS = 1_000_000


#: Old name of :class:`ptmvet.evidence.measurement.ClaimVerdict` (the scanner has its own ScanVerdict).
Verdict = ClaimVerdict


@dataclass(frozen=True)
class Interval:
    """A point estimate and its percentile bootstrap interval."""

    value: float
    low: float
    high: float
    resamples: int
    confidence: float
    seed: int

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2.0


def bootstrap(
    spec: MetricSpec,
    pred: Predictions,
    *,
    resamples: int = DEFAULT_RESAMPLES,
    confidence: float = DEFAULT_CONFIDENCE,
    seed: int = DEFAULT_SEED,
    max_elements: int = MAX_ELEMENTS,
) -> Interval:
    """Point estimate and percentile bootstrap CI of ``spec`` on ``pred``.

    Rows are resampled with replacement (for entities, sentences are). NaN
    resamples (a constant side in a correlation) are dropped from the
    percentiles.
    """
    n = pred.n
    value = float(spec.compute(pred, None))
    if n < 2 or resamples <= 0:
        return Interval(value, value, value, 0, confidence, seed)
    rng = np.random.default_rng(seed)
    per_row = 3 if pred.kind == "entities" else 1
    chunk = max(1, min(resamples, max_elements // max(1, n * per_row)))
    out: list[FloatArray] = []
    done = 0
    while done < resamples:
        b = min(chunk, resamples - done)
        idx = rng.integers(0, n, size=(b, n), dtype=np.int64)
        out.append(np.asarray(spec.compute(pred, idx), dtype=np.float64).reshape(b))
        done += b
    stats = np.concatenate(out)
    stats = stats[np.isfinite(stats)]
    if stats.size == 0:
        return Interval(value, math.nan, math.nan, resamples, confidence, seed)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(stats, [alpha, 1.0 - alpha])
    return Interval(value, float(low), float(high), resamples, confidence, seed)


def claim_scale(claimed: float, spec: MetricSpec) -> float:
    """The factor that puts a claim on the metric's native scale: 100 for '91.3' accuracy, else 1.

    A bounded metric (|value| <= 1) claimed above 1.5 (and at most 100) is a percentage.
    """
    if spec.bounded and 1.5 < abs(claimed) <= 100.0:
        return 100.0
    return 1.0


def tolerance(interval: Interval, claimed: float, spec: MetricSpec, *, min_tolerance: float | None = None) -> float:
    """The tolerance on the native scale: max(CI half-width, minimum)."""
    if min_tolerance is None:
        min_tolerance = DEFAULT_MIN_TOLERANCE if spec.bounded else DEFAULT_RELATIVE_TOLERANCE * abs(claimed)
    hw = interval.half_width if math.isfinite(interval.half_width) else 0.0
    return max(hw, min_tolerance)


def judge(claimed: float, interval: Interval, spec: MetricSpec, *, min_tolerance: float | None = None) -> tuple[ClaimVerdict, float]:
    """Verdict on a claim already on the native scale, and the tolerance used."""
    if not math.isfinite(interval.value):
        return ClaimVerdict.NOT_VERIFIABLE, math.nan
    tol = tolerance(interval, claimed, spec, min_tolerance=min_tolerance)
    gap = claimed - interval.value if spec.higher_is_better else interval.value - claimed
    if gap > tol:
        return ClaimVerdict.OVERSTATED, tol
    if gap < -tol:
        return ClaimVerdict.UNDERSTATED, tol
    return ClaimVerdict.CONSISTENT, tol
