"""Bootstrap intervals and verdicts."""

from __future__ import annotations

import numpy as np
import pytest

from ptmvet.evaluate import metrics as m
from ptmvet.evaluate import stats as st


def _pred(seed: int = 0, n: int = 500) -> m.Predictions:
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 2, n)
    p = np.where(rng.random(n) < 0.85, t, 1 - t)
    return m.Predictions("classes", t, p, n_classes=2)


def test_bootstrap_is_seeded_and_brackets_the_estimate() -> None:
    spec = m.METRICS["accuracy"]
    a = st.bootstrap(spec, _pred(), seed=3)
    b = st.bootstrap(spec, _pred(), seed=3)
    assert a == b
    assert a.low < a.value < a.high
    # Normal approximation of the binomial: half-width ~ 1.96 * sqrt(p(1-p)/n)
    approx = 1.96 * np.sqrt(a.value * (1 - a.value) / 500)
    assert a.half_width == pytest.approx(approx, rel=0.25)


def test_chunking_does_not_change_the_interval() -> None:
    spec = m.METRICS["f1_macro"]
    a = st.bootstrap(spec, _pred(), seed=1, resamples=200)
    b = st.bootstrap(spec, _pred(), seed=1, resamples=200, max_elements=1000)
    assert a == b


def test_spearman_bootstrap_on_values() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=300)
    pred = m.Predictions("values", x, x + rng.normal(size=300))
    iv = st.bootstrap(m.METRICS["spearman"], pred, resamples=300)
    assert iv.low < iv.value < iv.high


def test_percent_and_fraction_scales() -> None:
    acc = m.METRICS["accuracy"]
    assert st.claim_scale(91.3, acc) == 100.0
    assert st.claim_scale(0.913, acc) == 1.0
    assert st.claim_scale(12.5, m.METRICS["mse"]) == 1.0


def test_verdicts() -> None:
    acc = m.METRICS["accuracy"]
    iv = st.Interval(0.80, 0.78, 0.82, 1000, 0.95, 0)
    assert st.judge(0.81, iv, acc)[0] is st.Verdict.CONSISTENT
    assert st.judge(0.85, iv, acc)[0] is st.Verdict.OVERSTATED
    assert st.judge(0.70, iv, acc)[0] is st.Verdict.UNDERSTATED
    # tolerance floor: one point even when the interval is narrower
    narrow = st.Interval(0.80, 0.799, 0.801, 1000, 0.95, 0)
    assert st.judge(0.809, narrow, acc) == (st.Verdict.CONSISTENT, 0.01)
    # an error metric is overstated when the claim is lower than measured
    err = m.METRICS["mse"]
    assert st.judge(0.5, st.Interval(1.0, 0.9, 1.1, 10, 0.95, 0), err)[0] is st.Verdict.OVERSTATED
    assert st.judge(0.5, st.Interval(float("nan"), 0, 0, 0, 0.95, 0), err)[0] is st.Verdict.NOT_VERIFIABLE
